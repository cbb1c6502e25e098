"""Wagtail's page edit view for every page type, with its comment notification emails sent after commit."""

from typing import Any

from django.db import transaction
from wagtail.admin.views.pages.edit import EditView
from wagtail.admin.viewsets.pages import PageViewSet


class PageEditView(EditView):
    def send_commenting_notifications(self, changes: dict[str, Any]) -> None:
        """Wagtail mails the page's comment subscribers right after saving, inside the request's
        transaction (ATOMIC_REQUESTS): a failure later in the request would leave the email of a
        comment that was never stored, and the mail server's wait holds the page's rows. Robust: the
        edit has committed by then, so a mail failure is logged, not shown to the editor as an error."""
        send = super().send_commenting_notifications
        transaction.on_commit(lambda: send(changes), robust=True)


class CommentMailAfterCommitPageViewSet(PageViewSet):
    """Registered for `Page` after Wagtail's own default viewset, so every page type edits with the
    view above (a page type registering its own viewset must use `PageEditView` too)."""

    edit_view_class = PageEditView
