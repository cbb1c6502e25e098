"""An event's and a date's pages: the place with a map link, the rule in words, tickets with price and
places left, "Add to calendar" for the one date; django-scheduler's day tables with no inline style."""

import re
from datetime import datetime
from html import unescape
from urllib.parse import parse_qs, urlsplit

import icalendar
import pytest
from django.urls import reverse
from django.utils import timezone

from events.pages import EventIndexPage, EventPage
from home.demo import home_page_ensure
from home.services import sites_sync_from_settings
from tests.factories import events as f

pytestmark = pytest.mark.django_db

PLACE = "Wheel place & Co, 3 Rue d'Été <b>"


@pytest.fixture
def pottery(otto_calendar):
    start = f.local(6, 19)
    return f.event(
        otto_calendar,
        "Pottery evening",
        start=start,
        end=f.local(6, 21),
        location=PLACE,
        frequency="WEEKLY",
        repeat_until=start.date().replace(year=start.year + 1, month=3, day=31),
        time_zone="Europe/London",
    )


def _date_path(event) -> str:
    return f"/events/o/{event.pk}/{int(event.start.timestamp())}/"


def _map_hrefs(html: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'class="map-link" href="([^"]+)"', html)]


def test_occurrence_page_map_link_is_openstreetmap_search_of_the_place(client, pottery):
    html = client.get(_date_path(pottery)).content.decode()
    [href] = _map_hrefs(html)
    parts = urlsplit(href)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.openstreetmap.org", "/search")
    assert parse_qs(parts.query) == {"query": [PLACE]}
    # The place is query-encoded inside the attribute, never raw markup.
    assert "<b>" not in html.split('class="map-link"')[1].split(">")[0]


def test_occurrence_page_says_rule_in_words_and_tickets_as_money(client, pottery, sam):
    f.ticket_type(pottery, name="Wheel", price="6", quota=8)
    f.ticket_type(pottery, name="Watcher", price="0", quota=3)
    start = timezone.localtime(pottery.start)
    html = client.get(_date_path(pottery)).content.decode()
    assert f"Every {start:%A} until 31 March {start.year + 1}" in html
    wheel = html.split('class="ticket-name">Wheel')[1].split("</tr>")[0]
    assert "£6.00" in wheel and "£6.0000" not in wheel
    assert re.search(r'class="places-left"[^>]*>8<', wheel)


def test_occurrence_ics_is_that_one_date_as_a_download(client, pottery):
    date_page = client.get(_date_path(pottery)).content.decode()
    timestamp = int(pottery.start.timestamp())
    ics_path = f"/events/o/{pottery.pk}/{timestamp}.ics"
    assert f'href="{ics_path}"' in date_page
    response = client.get(ics_path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert response["Content-Disposition"].startswith("attachment;")
    calendar = icalendar.Calendar.from_ical(response.content)
    [vevent] = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Pottery evening"
    assert str(vevent["LOCATION"]) == PLACE
    assert "RRULE" not in vevent
    assert vevent["DTSTART"].dt == pottery.start
    assert str(vevent["DTSTART"].dt.tzinfo) == "Europe/London"
    assert vevent["URL"].endswith(_date_path(pottery))


def test_occurrence_ics_of_a_date_the_event_does_not_have_is_404(client, pottery):
    assert client.get(f"/events/o/{pottery.pk}/{int(pottery.start.timestamp()) + 60}.ics").status_code == 404


def test_event_page_shows_place_map_rule_and_tickets_left(client, pottery, sam):
    home = home_page_ensure()
    sites_sync_from_settings()
    index = home.add_child(instance=EventIndexPage(title="What's on", slug="whats-on-pages"))
    page = index.add_child(instance=EventPage(title="Pottery", slug="pottery", event=pottery))
    f.ticket_type(pottery, name="Wheel", price="6", quota=8)
    html = client.get(page.url).content.decode()
    [href] = _map_hrefs(html)
    assert parse_qs(urlsplit(href).query) == {"query": [PLACE]}
    assert "Every " in html and "until 31 March" in html
    assert "£6.00" in html and "8 left on the next date" in html
    assert f'href="/events/e/{pottery.pk}.ics" download' in html


def test_scheduler_day_table_has_no_inline_style_or_script(client, otto, pottery):
    pottery.color_event = "#336699"
    pottery.save()
    client.force_login(otto)
    start = timezone.localtime(pottery.start)
    response = client.get(
        f"/events/calendar/daily/{pottery.calendar.slug}/",
        {"year": start.year, "month": start.month, "day": start.day},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Pottery evening" in html
    assert 'data-event-color="#336699"' in html
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert f'href="{_date_path(pottery)}"' in html


@pytest.mark.parametrize("view", ["week", "month", "year", "tri_month", "compact_month"])
def test_scheduler_period_pages_link_each_date_with_no_inline_style_or_script(client, otto, pottery, view):
    pottery.color_event = "#336699"
    pottery.save()
    client.force_login(otto)
    start = timezone.localtime(pottery.start)
    response = client.get(
        f"/events/calendar/{view}/{pottery.calendar.slug}/",
        {"year": start.year, "month": start.month, "day": start.day},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)
    assert "data-bs-toggle" not in html  # Bootstrap 5's modals: the site runs Bootstrap 4
    on_the_day = f"?year={start.year}&amp;month={start.month}&amp;day={start.day}"
    assert f"/events/calendar/daily/{pottery.calendar.slug}/{on_the_day}" in html
    if view in ("week", "month"):
        assert "Pottery evening" in html
        assert f'href="{_date_path(pottery)}" data-event-color="#336699"' in html


def test_scheduler_calendar_page_offers_its_views_not_a_developer_note(client, otto, pottery):
    client.force_login(otto)
    html = client.get(f"/events/calendar/{pottery.calendar.slug}/").content.decode()
    assert "docstring" not in html
    assert f'href="/events/calendar/week/{pottery.calendar.slug}/"' in html


def test_ticket_line_and_price_never_raw(pottery):
    # The date page's pieces and the ticket line agree on the site's zone (events/display.py).
    from events.display import ticket_line

    line = ticket_line(pottery, pottery.start)
    local = timezone.localtime(pottery.start)
    assert line == f"Pottery evening — {local:%a} {local.day} {local:%b %Y, %H:%M} ({PLACE})"
    assert not re.search(r"\d{4}-\d{2}-\d{2}T", line)
    assert isinstance(pottery.start, datetime)


def test_date_page_offers_following_the_calendar_from_the_readers_server(client, pottery, settings):
    html = client.get(_date_path(pottery)).content.decode()

    assert f"<code>@events@{settings.SITE_HOST}</code>" in html
    [action] = re.findall(r'<form class="follow-form" method="get" action="([^"]+)"', html)
    # The remote-follow step for @events (tests/home/test_remote_follow.py follows it to a fake server).
    assert action == reverse("remote_follow", args=["events"])


def test_date_page_describes_itself_for_link_previews_and_search(client, pottery):
    html = client.get(_date_path(pottery)).content.decode()

    [description] = re.findall(r'<meta name="description" content="([^"]*)"', html)
    when = timezone.localtime(pottery.start, timezone.get_current_timezone())
    assert unescape(description).startswith(
        f"Pottery evening, {when:%A} {when.day} {when:%B %Y} at 19:00, Wheel"
    )
    assert "<b>" not in description  # the place is escaped like everything else
