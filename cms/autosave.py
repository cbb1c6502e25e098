"""Autosave against publishing: refuse an autosave whose page was changed after the edit view read it."""

from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from wagtail.models import Page


def autosave_refuse_if_page_changed(request: HttpRequest, page: Page) -> JsonResponse | None:
    """`before_edit_page` hook: a 400 "invalid_revision" for an autosave that raced a publish.

    Wagtail's edit view reads the page row and its latest revision when the request starts, and its
    out-of-date check compares the client's revision with that copy. An autosave already in flight
    when a publish commits passes that check, and for a page that was a draft it then saves the whole
    stale row (live=False, no live revision): the post goes offline with no unpublish anywhere.

    Here the row is locked for the rest of the request (ATOMIC_REQUESTS) and compared with what the
    view read. Either the publish already committed, and the autosave is refused with the error code
    Wagtail's own check uses, so the editor's client shows its "newer version" conflict; or the
    publish has not written yet, and its writes wait for this request's commit.
    """
    # Autosave is the edit form posted asking for JSON; page loads and plain submits are left alone.
    if request.method != "POST" or request.accepts("text/html"):
        return None
    rows = Page.objects.filter(pk=page.pk)
    if transaction.get_connection().in_atomic_block:
        rows = rows.select_for_update()
    current = rows.values_list("live", "latest_revision_id").first()
    if current == (page.live, page.latest_revision_id):
        return None
    return JsonResponse(
        {
            "success": False,
            "error_code": "invalid_revision",
            "error_message": _("Saving will overwrite a newer version."),
        },
        status=400,
    )
