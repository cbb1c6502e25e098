"""Wagtail admin views that ask oEmbed providers, routed outside the request's transaction.

Under ATOMIC_REQUESTS every admin view runs inside one transaction; these ask a provider over HTTP
(the rich text "insert embed" chooser; a preview rendering a page whose embeds are not stored yet),
so the transaction would stay open for as long as the provider takes. None of them needs it: they
write nothing but the Embed row Wagtail upserts (and the preview's form data, kept in the session).

Every Wagtail view that renders a page in the admin is here: a preview renders inside the view
(`make_preview_request`), unlike a TemplateResponse, which Django renders after the transaction has
closed (the public page, the revisions comparison, the StreamField block preview).
"""

from collections.abc import Callable

from django.db import transaction
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from wagtail.admin.auth import require_admin_access
from wagtail.admin.viewsets.pages import page_viewset_registry
from wagtail.embeds.views import chooser

View = Callable[..., HttpResponse]


def _admin_view_outside_transaction(view: View) -> View:
    """The view behind Wagtail's admin decorators, left out of ATOMIC_REQUESTS. The marker goes on the
    outermost wrapper, ours (Wagtail's `require_admin_access` would not carry it outwards)."""
    return transaction.non_atomic_requests(never_cache(require_admin_access(view)))


embed_chooser_upload = _admin_view_outside_transaction(chooser.chooser_upload)
page_preview_on_edit = _admin_view_outside_transaction(
    page_viewset_registry.as_view("preview_on_edit", page_id_kwarg="page_id")
)
page_preview_on_add = _admin_view_outside_transaction(
    page_viewset_registry.as_view(
        "preview_on_add", app_label_kwarg="content_type_app_name", model_name_kwarg="content_type_model_name"
    )
)
page_view_draft = _admin_view_outside_transaction(
    page_viewset_registry.as_view("view_draft", page_id_kwarg="page_id")
)
page_revision_view = _admin_view_outside_transaction(
    page_viewset_registry.as_view("revisions_view", page_id_kwarg="page_id")
)
page_workflow_preview = _admin_view_outside_transaction(
    page_viewset_registry.as_view("workflow_preview", page_id_kwarg="page_id")
)
