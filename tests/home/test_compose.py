"""Pages composed from every app: the home page's fragments of the calendar and the market, each
cached by its parameters and its sources' versions, refreshed when an event moves or stock changes."""

from datetime import timedelta

import pytest
from django.core.cache import cache

from cms.fragments import fragment_html, fragment_source_changed
from events import calendars, cancellation
from events.models import EventCategory
from home.demo import DEMO_SECTIONS
from home.models import HomePage
from tests.factories.cms import blog_index_ensure, blog_post
from tests.factories.commerce import stocked_product
from tests.factories.events import event, local, organiser_calendar, user

pytestmark = pytest.mark.django_db

WEEK = {"heading": "", "filter": "", "limit": 6}


@pytest.fixture
def home():
    blog_index_ensure()
    page = HomePage.objects.get()
    page.sections = DEMO_SECTIONS
    page.save_revision().publish()
    return page


@pytest.fixture
def calendar():
    return organiser_calendar("Town hall")


def test_home_page_shows_this_weeks_events_products_and_posts(client, home, calendar):
    event(calendar, "Cheese tasting", start=local(2, 18), end=local(2, 20))
    event(calendar, "Harvest fair next month", start=local(30, 10), end=local(30, 16))
    stocked_product(title="Rye sourdough")
    blog_post(title="Bees swarm the market")

    page = client.get("/").content.decode()

    assert "Cheese tasting" in page
    assert "Harvest fair next month" not in page  # not this week
    assert "Rye sourdough" in page
    assert "Bees swarm the market" in page
    assert "Next market day" in page and "/account/newsletters/" in page


def test_fragment_event_moved_renders_again_and_keeps_the_rest_of_the_cache(calendar):
    tasting = event(calendar, "Cheese tasting", start=local(2, 18), end=local(2, 20))
    cache.set("unrelated", "kept", None)
    before = fragment_html("events-week", WEEK)
    assert "18:00" in before

    calendars.event_shift(event=tasting, delta=timedelta(hours=1))

    after = fragment_html("events-week", WEEK)
    assert "19:00" in after and "18:00" not in after
    assert cache.get("unrelated") == "kept"


def test_fragment_cancelled_event_shows_cancelled(calendar):
    tasting = event(calendar, "Cheese tasting", start=local(2, 18), end=local(2, 20))
    assert "cancelled" not in fragment_html("events-week", WEEK)

    cancellation.event_cancel(event=tasting, by_user=user("staff@example.org", staff=True))

    assert "cancelled" in fragment_html("events-week", WEEK)


def test_fragment_product_stock_and_price_change_renders_again():
    product = stocked_product(title="Rye sourdough", price="4.00", num_in_stock=5)
    params = {"heading": "", "filter": "", "limit": 6}
    before = fragment_html("products", params)
    assert "£4.80" in before and "5 in stock" in before  # the demo strategy adds 20% tax

    record = product.stockrecords.get()
    record.num_in_stock = 0
    record.price = "4.50"
    record.save()

    after = fragment_html("products", params)
    assert "£5.40" in after and "5 in stock" not in after


def test_fragment_from_cache_until_its_source_changes(calendar, django_assert_num_queries):
    event(calendar, "Cheese tasting", start=local(2, 18), end=local(2, 20))
    fragment_html("events-week", WEEK)
    with django_assert_num_queries(0):
        fragment_html("events-week", WEEK)
    stocked_product(title="Rye sourdough")  # another source: the events fragment stays cached
    with django_assert_num_queries(0):
        fragment_html("events-week", WEEK)


def test_cached_home_page_follows_a_moved_event(client, home, calendar, settings):
    settings.CMS_PAGE_CACHE_SECONDS = 300
    tasting = event(calendar, "Cheese tasting", start=local(2, 18), end=local(2, 20))
    assert "18:00" in client.get("/").content.decode()
    assert "18:00" in client.get("/").content.decode()  # from the anonymous page cache

    calendars.event_shift(event=tasting, delta=timedelta(hours=2))

    page = client.get("/").content.decode()
    assert "20:00" in page and "18:00" not in page


# Queries for one render after its source changed, whatever the number of items (SQLite and
# PostgreSQL alike): the events and their stored occurrences; the products and one per prefetch.
EXPECTED_QUERIES = {"events-week": 2, "events-upcoming": 2, "market-day": 2, "products": 5}
SOURCES = {"events-week": "events", "events-upcoming": "events", "market-day": "events"}


@pytest.mark.parametrize("size", [5, 50])
@pytest.mark.parametrize("name", list(EXPECTED_QUERIES))
def test_fragment_query_count_fixed_with_content(name, size, calendar, django_assert_num_queries):
    markets = EventCategory.objects.create(slug="markets", name="Markets")
    for n in range(size):
        event(calendar, f"Event {n}", start=local(1 + n % 6, 9), end=local(1 + n % 6, 10), category=markets)
        stocked_product(title=f"Product {n}", partner_name=f"Producer {n % 3}")
    params = {"heading": "", "filter": "", "limit": 24}
    fragment_html(name, params)  # the thumbnails' key-value rows exist after a first render
    fragment_source_changed(SOURCES.get(name, "products"))
    with django_assert_num_queries(EXPECTED_QUERIES[name]):
        html = fragment_html(name, params)
    if name == "market-day":
        assert html.count("<time ") == 1
    else:
        assert html.count('class="event-occurrence') + html.count('class="product-card"') == min(size, 24)
