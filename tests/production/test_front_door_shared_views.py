"""Oscar's catalogue and the calendar's pages at the front door: marked only when every anonymous reader
gets them alike, with no CSRF token in them, and a form from them still works (its token fetched)."""

import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from edge.front_door import SHARED_CACHE_HEADER
from tests.factories import events as event_factories
from tests.factories.commerce import market_with_producer, stocked_product
from tests.factories.social import publish
from tests.workers import own_redis_url

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("door_on")]


@pytest.fixture
def door_on(settings):
    settings.FRONT_DOOR_CACHE_SECONDS = 600


def test_product_page_anonymous_is_marked_with_no_token_and_no_cookie(client):
    honey = stocked_product(title="Door honey")
    response = client.get(honey.get_absolute_url())
    assert response.status_code == 200 and "Door honey" in response.text
    assert 'action="' + reverse("basket:add", args=[honey.pk]) in response.text
    assert "csrfmiddlewaretoken" not in response.text
    assert not response.cookies, response.cookies
    # No Redis tag store here (local memory cache, no purger): kept a second, never longer.
    assert response[SHARED_CACHE_HEADER] == "1"
    assert set(re.split(r",\s*", response["Vary"])) >= {"Cookie", "Accept"}


def test_product_page_with_a_cookie_has_its_token_and_is_not_marked(client):
    honey = stocked_product(title="Door honey")
    client.cookies["sessionid"] = "someone"
    response = client.get(honey.get_absolute_url())
    assert "csrfmiddlewaretoken" in response.text and SHARED_CACHE_HEADER not in response


def test_catalogue_and_calendar_pages_anonymous_are_marked(client):
    stocked_product(title="Door honey")
    calendar = event_factories.organiser_calendar("Door market")
    event = event_factories.weekly_meetup(calendar)
    event_factories.ticket_type(event, quota=5)
    occurrence = next(event.occurrences_after())
    date_page = reverse("events:occurrence", args=[event.pk, int(occurrence.start.timestamp())])
    for url in ("/shop/catalogue/", "/events/", date_page, f"/events/event/{event.pk}/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.get(SHARED_CACHE_HEADER) == "1", url
        assert "csrfmiddlewaretoken" not in response.text and not response.cookies, url


def test_market_and_producer_pages_anonymous_are_marked_with_no_token_and_no_cookie(client):
    honey = stocked_product(title="Door honey", partner_name="Door Farm")
    market, producer = market_with_producer("door-market", "Door Farm")
    for page in (market, producer):
        response = client.get(page.url)
        assert response.status_code == 200 and "Door honey" in response.text, page.url
        assert 'action="' + reverse("basket:add", args=[honey.pk]) in response.text
        assert "csrfmiddlewaretoken" not in response.text and not response.cookies, page.url
        assert response[SHARED_CACHE_HEADER] == "1", page.url  # no tag store here: a second


def test_market_page_with_a_cookie_or_in_preview_has_its_token_and_is_not_marked(client, admin_client):
    stocked_product(title="Door honey", partner_name="Door Farm")
    market, _ = market_with_producer("door-market", "Door Farm")
    client.cookies["sessionid"] = "someone"
    response = client.get(market.url)
    assert "csrfmiddlewaretoken" in response.text and SHARED_CACHE_HEADER not in response
    preview = admin_client.get(reverse("wagtailadmin_pages:view_draft", args=[market.pk]))
    assert preview.status_code == 200 and SHARED_CACHE_HEADER not in preview


def test_basket_and_token_endpoint_are_never_marked(client):
    assert SHARED_CACHE_HEADER not in client.get("/shop/basket/")
    token = client.get("/csrf-token/")
    assert SHARED_CACHE_HEADER not in token and "no-store" in token["Cache-Control"]
    assert token.json()["token"] and "csrftoken" in token.cookies


def test_add_to_basket_from_a_shared_page_with_the_fetched_token_adds_the_product(client):
    """What static/js/site.js does: the shared page has no token; the one fetched is sent with the form."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    honey = stocked_product(title="Door honey")
    page = client.get(honey.get_absolute_url())
    assert "csrfmiddlewaretoken" not in page.text
    refused = client.post(reverse("basket:add", args=[honey.pk]), {"quantity": 1})
    assert refused.status_code == 403
    token = client.get("/csrf-token/").json()["token"]
    added = client.post(reverse("basket:add", args=[honey.pk]), {"quantity": 1, "csrfmiddlewaretoken": token})
    assert added.status_code == 302
    assert "Door honey" in client.get("/shop/basket/").text


def test_form_sent_without_a_token_and_no_cookie_goes_back_to_be_pressed_again(client):
    """No script ran: the reader is sent back to the page, now with a token cookie, to press again."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    honey = stocked_product(title="Door honey")
    url = honey.get_absolute_url()
    back = client.post(
        reverse("basket:add", args=[honey.pk]), {"quantity": 1}, HTTP_REFERER=f"http://testserver{url}"
    )
    assert back.status_code == 303 and back["Location"] == f"http://testserver{url}"
    assert "csrftoken" in back.cookies
    again = client.get(url)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', again.text).group(1)
    assert SHARED_CACHE_HEADER not in again
    added = client.post(reverse("basket:add", args=[honey.pk]), {"quantity": 1, "csrfmiddlewaretoken": token})
    assert added.status_code == 302
    # From another site, the failure stays Django's 403.
    cross = Client(enforce_csrf_checks=True).post(
        reverse("basket:add", args=[honey.pk]), {"quantity": 1}, HTTP_REFERER="http://evil.example/"
    )
    assert cross.status_code == 403


class PurgeRecorder(ThreadingHTTPServer):
    """The front door's PURGE listener, as far as the app can tell: records each path it is sent."""

    def __init__(self):
        self.purged: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_PURGE(self):
                recorder.purged.append(self.path)
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        super().__init__(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.serve_forever, daemon=True).start()


@pytest.fixture
def door_purges(settings):
    """A Redis cache of its own (the tags live there) and a purge listener, as in production."""
    settings.CACHES = {
        **settings.CACHES,  # the sessions' cache too, when REDIS_URL gives it one
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": own_redis_url(9),
            "KEY_PREFIX": f"door-{uuid.uuid4().hex[:8]}",
        },
    }
    recorder = PurgeRecorder()
    settings.WAGTAILFRONTENDCACHE = {
        "front_door": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": f"http://127.0.0.1:{recorder.server_port}",
        }
    }
    yield recorder
    recorder.shutdown()


def test_stock_change_refreshes_exactly_the_held_pages_it_shows_on(
    client, door_purges, django_capture_on_commit_callbacks
):
    honey, jam = stocked_product(title="Door honey"), stocked_product(title="Door jam")
    listings = ("/shop/catalogue/", "/shop/catalogue/?page=1")
    for url in (honey.get_absolute_url(), jam.get_absolute_url(), *listings):
        response = client.get(url)
        # Held under its tags, so the door may keep it the site's whole page lifetime.
        assert response[SHARED_CACHE_HEADER] == "600", url
    door_purges.purged.clear()  # the products' creation purged what was held before

    stock = honey.stockrecords.get()
    stock.num_in_stock = 3
    with django_capture_on_commit_callbacks(execute=True):
        stock.save()
    refreshed = set(door_purges.purged)
    assert {honey.get_absolute_url(), *listings} <= refreshed
    assert jam.get_absolute_url() not in refreshed
    # Taken as they are sent: the refresh (the door's GET) holds each again.
    door_purges.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        stock.save()
    assert honey.get_absolute_url() not in door_purges.purged


def test_a_tag_past_its_paths_limit_keeps_junk_queries_a_second_only(client, door_purges, monkeypatch):
    from edge import front_door

    monkeypatch.setattr(front_door, "TAG_PATHS_MAX", 2)
    stocked_product(title="Door honey")
    seconds = [client.get(f"/shop/catalogue/?utm={n}")[SHARED_CACHE_HEADER] for n in range(4)]
    assert seconds == ["600", "600", "1", "1"]


def test_shared_page_under_debug_leaves_its_token_out_without_a_warning(client, settings, recwarn):
    settings.DEBUG = True
    honey = stocked_product(title="Door honey")
    response = client.get(honey.get_absolute_url())
    assert response.status_code == 200 and "csrfmiddlewaretoken" not in response.text
    assert [str(w.message) for w in recwarn if "csrf_token" in str(w.message)] == []


def test_stock_change_refreshes_the_held_market_page_and_its_producers_pages(
    client, door_purges, django_capture_on_commit_callbacks
):
    honey = stocked_product(title="Door honey", partner_name="Door Farm")
    stocked_product(title="Door bread", partner_name="Door Bakery")
    market, farm = market_with_producer("door-market", "Door Farm")
    bakery = market.add_child(
        instance=type(farm)(title="Door Bakery", slug="door-bakery", partner=door_bakery_partner())
    )
    pages = (market.url, f"{market.url}?utm_source=toot", farm.url, bakery.url)
    for url in pages:
        assert client.get(url)[SHARED_CACHE_HEADER] == "600", url
    door_purges.purged.clear()

    stock = honey.stockrecords.get()
    stock.num_in_stock = 3
    with django_capture_on_commit_callbacks(execute=True):
        stock.save()
    refreshed = door_purges.purged
    assert {market.url, f"{market.url}?utm_source=toot", farm.url} <= set(refreshed)
    # By the tags the change touched (the bakery's page shows none of the farm's products); the
    # fragments' refresh of every live page (home/receivers.py) sends the bakery's URL on its own.
    from edge.front_door import tags_take

    assert tags_take(["producer:" + str(honey.stockrecords.get().partner_id)]) == []  # taken
    assert tags_take([f"producer:{door_bakery_partner().pk}"]) == [bakery.url]  # still held


def test_publish_refreshes_every_held_variant_of_the_market_page(
    client, door_purges, django_capture_on_commit_callbacks
):
    from tests.factories.social import blog_post

    stocked_product(title="Door honey", partner_name="Door Farm")
    market, _ = market_with_producer("door-market", "Door Farm")
    assert client.get(f"{market.url}?utm_source=toot")[SHARED_CACHE_HEADER] == "600"
    door_purges.purged.clear()
    with django_capture_on_commit_callbacks(execute=True):
        publish(blog_post(title="News from the market"))  # menus and listings on every page
    assert f"{market.url}?utm_source=toot" in door_purges.purged and market.url in door_purges.purged


def door_bakery_partner():
    return get_model("partner", "Partner").objects.get(name="Door Bakery")
