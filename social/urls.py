"""URL routes owned by social (mounted from config/urls.py)."""

from django.urls import include, path

urlpatterns: list = [
    path("", include("social.federation.urls")),
]
