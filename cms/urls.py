"""URL routes owned by cms (mounted from config/urls.py); blog routes live on the BlogIndexPage."""

from django.urls import path
from wagtail.contrib.sitemaps.views import sitemap

from cms import views

urlpatterns = [
    path("sitemap.xml", sitemap, name="sitemap"),
    path("robots.txt", views.robots_txt, name="robots_txt"),
]
