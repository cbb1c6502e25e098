"""Django's Site, Wagtail's Site and SITE_URL agree."""

from django.contrib.sites.models import Site as DjangoSite
from wagtail.models import Site as WagtailSite

from home.models import HomePage
from home.services import sites_sync_from_settings


def test_sites_sync_from_settings_custom_url_both_sites_follow(seeded, settings):
    settings.SITE_URL = "https://coop.example:8443"
    sites_sync_from_settings()
    assert DjangoSite.objects.get_current().domain == "coop.example:8443"
    wagtail_site = WagtailSite.objects.get(is_default_site=True)
    assert (wagtail_site.hostname, wagtail_site.port) == ("coop.example", 8443)


def test_seed_demo_run_twice_creates_nothing_new(seeded):
    from django.core.management import call_command

    from accounts.models import User

    users, pages = User.objects.count(), HomePage.objects.count()
    call_command("seed_demo", verbosity=0)
    assert (User.objects.count(), HomePage.objects.count()) == (users, pages) == (4, 1)
    assert WagtailSite.objects.get(is_default_site=True).root_page.specific_class is HomePage
