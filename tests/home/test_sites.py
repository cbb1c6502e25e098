"""Django's Site, Wagtail's Site and SITE_URL agree; the request's Site is read once per host."""

from django.contrib.sites.models import Site as DjangoSite
from django.test import RequestFactory
from wagtail.models import Site as WagtailSite

from home.models import HomePage
from home.services import sites_sync_from_settings
from home.sites import site_for_request, sites_invalidate


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


def test_site_for_request_read_once_per_host_until_a_site_changes(db, django_assert_num_queries):
    default = WagtailSite.objects.get(is_default_site=True)
    first = RequestFactory().get("/")
    assert site_for_request(first).pk == default.pk
    second = RequestFactory().get("/")
    with django_assert_num_queries(0):
        found = site_for_request(second)
    assert found.pk == default.pk and found is not site_for_request(first)  # no instance shared
    assert WagtailSite.find_for_request(second) is found  # Wagtail's own lookups reuse it
    # A site made for this very host wins over the default from the next request on.
    own = WagtailSite.objects.create(
        hostname="testserver", port=80, root_page=default.root_page, site_name="Own"
    )
    assert site_for_request(RequestFactory().get("/")).pk == own.pk
    own.delete()
    assert site_for_request(RequestFactory().get("/")).pk == default.pk


def test_site_for_request_follows_a_change_made_by_another_process(db):
    default = WagtailSite.objects.get(is_default_site=True)
    site_for_request(RequestFactory().get("/"))
    WagtailSite.objects.filter(pk=default.pk).update(site_name="Renamed elsewhere")  # no signal here
    assert site_for_request(RequestFactory().get("/")).site_name != "Renamed elsewhere"
    sites_invalidate()  # what the other process's receiver did: the shared version moves on
    assert site_for_request(RequestFactory().get("/")).site_name == "Renamed elsewhere"
