"""The URL map: fixed prefixes for the libraries, Wagtail's page tree for everything else."""

from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

urlpatterns = [
    # Our own routes come first so they can claim paths inside the libraries' prefixes.
    path("", include("home.urls")),
    path("", include("social.hub.urls")),
    path("", include("social.urls")),
    path("", include("cms.urls")),
    path("", include("sitesearch.urls")),  # /search/: the one search box's results
    path("account/", include("accounts.urls")),
    path("shop/", include("commerce.urls")),
    path("events/", include("events.urls")),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("shop/", include("accounts.urls_oscar")),  # Oscar's sign-in, profile and password pages → /account/
    path("shop/", include(apps.get_app_config("oscar").urls[0])),
    path("events/", include("events.scheduler_urls")),  # django-scheduler's, its numbers checked
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Wagtail's catch-all must stay last: every path not claimed above is a page.
urlpatterns += [path("", include(wagtail_urls))]
