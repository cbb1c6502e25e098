"""Event pages: the index's list (no JavaScript), month and week views, the event page, widgets."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import cancellation
from events.blocks import UpcomingEventsBlock
from events.pages import EventIndexPage, EventPage
from events.selectors import events_published, occurrences_between
from home.demo import home_page_ensure
from home.services import sites_sync_from_settings
from tests.factories import events as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def index():
    home = home_page_ensure()
    sites_sync_from_settings()  # a database flushed by a transactional test has lost its Site rows
    return home.add_child(instance=EventIndexPage(title="What's on", slug="whats-on-test"))


@pytest.fixture
def market(otto_calendar):
    event = f.event(
        otto_calendar, "Saturday market", start=f.local(2, 9), end=f.local(2, 13), frequency="WEEKLY"
    )
    cancellation.occurrence_cancel(event=event, original_start=timezone.make_aware(f.local(9, 9)))
    return event


def _starts(html: str) -> list[str]:
    import re

    return re.findall(r'class="event-occurrence[^"]*" data-start="([^"]+)"', html)


def test_index_list_view_without_js_lists_site_occurrences(client, index, market, otto_calendar):
    f.event(otto_calendar, "Draft", start=f.local(3, 9), end=f.local(3, 10), published=False)
    response = client.get(index.url)
    html = response.content.decode()
    assert response.status_code == 200
    now = timezone.now()
    today = timezone.make_aware(datetime.combine(timezone.localdate(), datetime.min.time()))
    expected = occurrences_between(events_published(), today, today + timedelta(days=90))
    assert _starts(html) == [timezone.localtime(o.start).isoformat() for o in expected]
    assert "Draft" not in html and "<script" not in html.split("<main", 1)[1].split("</main>")[0]
    assert timezone.localtime(now + timedelta(days=9)).date().isoformat() not in "".join(_starts(html))
    assert "webcal://" in html and "/events/feed.ics" in html


def test_index_month_and_week_views_render_occurrences(client, index, market):
    first = timezone.localtime(market.start)
    month = client.get(index.url + f"month/?month={first:%Y-%m}")
    assert month.status_code == 200 and first.isoformat() in month.content.decode()
    week = client.get(index.url + f"week/?day={first.date().isoformat()}")
    assert week.status_code == 200 and _starts(week.content.decode()) == [first.isoformat()]


def test_index_month_view_query_count_fixed(client, index, otto_calendar, olga_calendar):
    for i in range(5):
        f.event(otto_calendar, f"A{i}", start=f.local(i, 10), end=f.local(i, 11), frequency="WEEKLY")
    url = index.url + "month/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(50):
        f.event(olga_calendar, f"B{i}", start=f.local(i % 20, 12), end=f.local(i % 20, 13), frequency="DAILY")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count('class="event-occurrence"') > 100
    assert len(many) == len(few)


def test_event_page_shows_dates_and_ics(client, index, market):
    page = index.add_child(instance=EventPage(title="Market", slug="market", event=market))
    response = client.get(page.url)
    html = response.content.decode()
    assert response.status_code == 200
    assert f"/events/e/{market.pk}.ics" in html
    assert len(_starts(html)) >= 4


def test_event_page_of_draft_event_is_404(client, index, otto_calendar):
    draft = f.event(otto_calendar, "Draft", start=f.local(3, 9), end=f.local(3, 10), published=False)
    page = index.add_child(instance=EventPage(title="Draft", slug="draft", event=draft))
    assert client.get(page.url).status_code == 404


def test_occurrence_page_shows_ticket_types_and_places(client, market):
    f.ticket_type(market, quota=7, name="Stall visit")
    stamp = int(market.start.timestamp())
    response = client.get(f"/events/o/{market.pk}/{stamp}/")
    assert response.status_code == 200
    assert "Stall visit" in response.content.decode()


def test_upcoming_events_block_filters_by_calendar_and_count(market, olga_calendar):
    f.event(olga_calendar, "Flea market", start=f.local(1, 9), end=f.local(1, 10))
    block = UpcomingEventsBlock()
    html = block.render(block.to_python({"heading": "Soon", "calendar": market.calendar.slug, "count": 2}))
    assert html.count("Saturday market") == 2 and "Flea market" not in html
    html = block.render(block.to_python({"heading": "Soon", "calendar": "", "category": "", "count": 1}))
    assert "Flea market" in html and "Saturday market" not in html


def test_next_events_tag_renders_the_next_occurrences(market):
    html = Template("{% load events_tags %}{% next_events 3 %}").render(Context({}))
    assert html.count("Saturday market") == 3


def test_scheduler_calendar_pages_render_with_our_events(client, market, otto):
    slug = market.calendar.slug
    assert client.get(f"/events/calendar/month/{slug}/").status_code == 200
    client.force_login(otto)
    response = client.get(f"/events/fullcalendar/{slug}/")
    assert response.status_code == 200 and b"api/occurrences" in response.content


def test_api_occurrences_match_the_site_and_carry_page_urls(client, market):
    now = timezone.now()
    response = client.get(
        "/events/api/occurrences", {"start": now.isoformat(), "end": (now + timedelta(days=30)).isoformat()}
    )
    data = response.json()
    expected = occurrences_between(events_published(), now, now + timedelta(days=30))
    assert [item["start"] for item in data] == [o.start.isoformat() for o in expected]
    assert all(item["url"].startswith(f"/events/o/{market.pk}/") for item in data)
    assert client.get(data[0]["url"]).status_code == 200
