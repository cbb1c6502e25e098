"""/events/: the month grid of the public calendars' events, with month navigation and a calendar filter."""

import re
from datetime import date, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.display import month_from_param
from tests.factories import events as f

pytestmark = pytest.mark.django_db


def _this_month(day: int, hour: int) -> datetime:
    return datetime.combine(timezone.localdate().replace(day=day), datetime.min.time()).replace(hour=hour)


def _titles(html: str) -> list[str]:
    return re.findall(
        r'class="event-occurrence" data-start="[^"]+"><a href="[^"]+">(?:\d\d:\d\d )?([^<]+)</a>', html
    )


@pytest.fixture
def public_calendar():
    return f.organiser_calendar("Cooperative calendar", is_public=True)


def test_home_shows_this_months_occurrences_in_the_grid(client, public_calendar):
    f.event(public_calendar, "Repair café", start=_this_month(10, 14), end=_this_month(10, 16))
    response = client.get("/events/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response.resolver_match.view_name == "events:home"
    assert 'class="table table-bordered event-month calendar-grid"' in html
    assert timezone.localdate().strftime("%B %Y") in html
    assert _titles(html) == ["Repair café"]
    assert "/events/calendars/cooperative-calendar.ics" in html


def test_home_month_navigation_moves_a_month_either_way(client, public_calendar):
    today = timezone.localdate()
    next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=15)
    f.event(
        public_calendar,
        "Harvest supper",
        start=datetime.combine(next_month, datetime.min.time()).replace(hour=19),
        end=datetime.combine(next_month, datetime.min.time()).replace(hour=22),
    )
    this = client.get("/events/").content.decode()
    assert "Harvest supper" not in this
    assert f'?month={next_month:%Y-%m}"' in this
    following = client.get(f"/events/?month={next_month:%Y-%m}").content.decode()
    assert _titles(following) == ["Harvest supper"]
    assert f'?month={today:%Y-%m}"' in following


def test_home_calendar_filter_shows_only_that_calendar(client, public_calendar):
    other = f.organiser_calendar("Garden club", is_public=True)
    f.event(public_calendar, "Repair café", start=_this_month(10, 14), end=_this_month(10, 16))
    f.event(other, "Seed swap", start=_this_month(11, 10), end=_this_month(11, 12))
    assert sorted(_titles(client.get("/events/").content.decode())) == ["Repair café", "Seed swap"]
    html = client.get(f"/events/?calendar={other.slug}").content.decode()
    assert _titles(html) == ["Seed swap"]
    assert f"calendar={other.slug}" in html.split("Next month")[0].rsplit("<a", 1)[1]
    assert client.get("/events/?calendar=no-such-calendar").status_code == 404


def test_home_hides_private_and_unpublished_events_from_anonymous(client, public_calendar, otto):
    private = f.organiser_calendar("Board", otto, is_public=False)
    f.event(public_calendar, "Repair café", start=_this_month(10, 14), end=_this_month(10, 16))
    f.event(public_calendar, "Draft gig", start=_this_month(12, 20), end=_this_month(12, 22), published=False)
    f.event(private, "Board meeting", start=_this_month(13, 18), end=_this_month(13, 19))
    html = client.get("/events/").content.decode()
    assert _titles(html) == ["Repair café"]
    assert "Draft gig" not in html and "Board" not in html
    assert client.get(f"/events/?calendar={private.slug}").status_code == 404
    assert "My tickets" not in html and "Manage events" not in html


def test_home_links_tickets_and_management_to_whom_they_apply(client, public_calendar, otto, sam):
    f.organiser_calendar("Otto's workshops", otto)
    client.force_login(sam)
    html = client.get("/events/").content.decode()
    assert "/events/tickets/" in html and "/events/manage/" not in html
    client.force_login(otto)
    assert "/events/manage/" in client.get("/events/").content.decode()


@pytest.mark.parametrize(
    "month", ["2026-13", "2026-00", "abcd", "2026-3", "0001-01", "9999-12", "2026-W10", ""]
)
def test_home_bad_month_falls_back_to_this_month(client, public_calendar, month):
    f.event(public_calendar, "Repair café", start=_this_month(10, 14), end=_this_month(10, 16))
    response = client.get("/events/", {"month": month})
    assert response.status_code == 200
    assert _titles(response.content.decode()) == ["Repair café"]


def test_month_from_param_reads_year_and_month():
    today = date(2026, 5, 17)
    assert month_from_param("2026-02", today) == date(2026, 2, 1)
    assert month_from_param("2126-06", today) == date(2026, 5, 1)  # a century out: not served


def test_home_query_count_fixed(client, public_calendar):
    other = f.organiser_calendar("Garden club", is_public=True)
    for i in range(5):
        f.event(
            public_calendar,
            f"A{i}",
            start=_this_month(1, 8 + i),
            end=_this_month(1, 9 + i),
            frequency="WEEKLY",
        )
    client.get("/events/")
    with CaptureQueriesContext(connection) as few:
        client.get("/events/")
    for i in range(50):
        day = 1 + i % 20
        f.event(other, f"B{i}", start=_this_month(day, 12), end=_this_month(day, 13), frequency="DAILY")
    with CaptureQueriesContext(connection) as many:
        response = client.get("/events/")
    assert response.content.decode().count('class="event-occurrence"') > 100
    assert len(many) == len(few)
