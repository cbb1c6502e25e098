"""URL routes owned by cms (mounted from config/urls.py); blog routes live on the BlogIndexPage."""

from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from cms import admin_views, views

urlpatterns = [
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    # Wagtail's own addresses under /admin/ (config/urls.py), served outside the request transaction.
    path("admin/embeds/chooser/upload/", admin_views.embed_chooser_upload, name="embed_chooser_upload"),
    path("admin/pages/<int:page_id>/edit/preview/", admin_views.page_preview_on_edit, name="preview_on_edit"),
    path(
        "admin/pages/add/<slug:content_type_app_name>/<slug:content_type_model_name>/<int:parent_page_id>/preview/",
        admin_views.page_preview_on_add,
        name="preview_on_add",
    ),
    path("admin/pages/<int:page_id>/view_draft/", admin_views.page_view_draft, name="view_draft"),
    path(
        "admin/pages/<int:page_id>/revisions/<int:revision_id>/view/",
        admin_views.page_revision_view,
        name="revisions_view",
    ),
    path(
        "admin/pages/workflow/preview/<int:page_id>/<int:task_id>/",
        admin_views.page_workflow_preview,
        name="workflow_preview",
    ),
]
