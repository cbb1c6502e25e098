"""Writes for home: Site rows that follow SITE_URL."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sites.models import Site as DjangoSite
from wagtail.models import Page
from wagtail.models import Site as WagtailSite


def sites_sync_from_settings(using: str = "default") -> None:
    """Make Django's Site (order emails, sitemaps) and Wagtail's default Site agree with SITE_URL."""
    parts = urlsplit(settings.SITE_URL)
    DjangoSite.objects.using(using).update_or_create(
        pk=settings.SITE_ID, defaults={"domain": parts.netloc, "name": settings.SITE_NAME}
    )
    port = parts.port or (443 if parts.scheme == "https" else 80)
    wagtail_site = WagtailSite.objects.using(using).filter(is_default_site=True).first()
    if wagtail_site is None:
        root = Page.get_first_root_node()
        if root is None:
            return
        home = root.get_children().first() or root
        wagtail_site = WagtailSite(root_page=home, is_default_site=True)
    wagtail_site.hostname = parts.hostname
    wagtail_site.port = port
    wagtail_site.site_name = settings.SITE_NAME
    wagtail_site.save(using=using)
