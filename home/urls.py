"""URL routes owned by home (mounted from config/urls.py): the site-wide files at the root."""

from django.urls import path

from home import views

urlpatterns = [
    path("favicon.ico", views.favicon, name="favicon"),
    path("follow/<slug:username>/", views.remote_follow, name="remote_follow"),
    path("csrf-token/", views.csrf_token, name="csrf_token"),
]
