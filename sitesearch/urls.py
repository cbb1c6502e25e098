"""URL routes owned by sitesearch (mounted from config/urls.py, before the Wagtail page tree)."""

from django.urls import path

from sitesearch import views

urlpatterns = [path("search/", views.search, name="site_search")]
