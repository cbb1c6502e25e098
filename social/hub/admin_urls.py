"""The hub's admin URLs, mounted under /admin/hub/ by wagtail_hooks (namespace "hub")."""

from django.urls import path

from . import views

app_name = "hub"
urlpatterns = [
    path("", views.timeline, name="timeline"),
    path("items/<id:item_id>/react/", views.react, name="react"),
    path("compose/", views.compose, name="compose"),
    path("following/", views.following, name="following"),
    path("following/<id:following_id>/unfollow/", views.unfollow, name="unfollow"),
    path("notifications/", views.notifications, name="notifications"),
    path("blocks/", views.blocks, name="blocks"),
    path("blocks/remove/", views.unblock, name="unblock"),
    path("moderate/", views.moderate, name="moderate"),
]
