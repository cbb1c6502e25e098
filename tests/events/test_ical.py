"""iCalendar feeds: valid RFC 5545 that, expanded by recurring-ical-events, matches what the site shows."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import icalendar
import pytest
import recurring_ical_events
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import cancellation, occurrences
from events.selectors import events_published, occurrences_between
from tests.factories import events as f

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")
# Europe/London moves to summer time on 28 March 2027 and back on 31 October 2027.
WINDOW = (datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 5, 1, tzinfo=UTC))


@pytest.fixture
def market(otto_calendar):
    event = f.event(
        otto_calendar,
        "Saturday market",
        start=datetime(2027, 3, 6, 10),
        end=datetime(2027, 3, 6, 13),
        frequency="WEEKLY",
        repeat_until=date(2027, 6, 30),
        location="The hall",
        time_zone="Europe/London",
    )
    cancellation.occurrence_cancel(event=event, original_start=datetime(2027, 3, 20, 10, tzinfo=LONDON))
    occurrences.occurrence_move(
        event=event,
        original_start=datetime(2027, 4, 10, 10, tzinfo=LONDON),
        new_start=datetime(2027, 4, 11, 14, tzinfo=LONDON),
    )
    return event


def _feed(client, url="/events/feed.ics") -> icalendar.Calendar:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return icalendar.Calendar.from_ical(response.content)


def _expanded(feed, start, end) -> list[tuple[str, datetime]]:
    return sorted(
        (str(component["SUMMARY"]), component.decoded("DTSTART").astimezone(UTC))
        for component in recurring_ical_events.of(feed).between(start, end)
    )


def _site(start, end) -> list[tuple[str, datetime]]:
    return sorted(
        (occurrence.title, occurrence.start.astimezone(UTC))
        for occurrence in occurrences_between(events_published(), start, end)
    )


def test_feed_expanded_across_dst_equals_site_occurrences(client, market):
    expanded = _expanded(_feed(client), *WINDOW)
    assert expanded == _site(*WINDOW)
    starts = [start for _, start in expanded]
    # 10:00 local on both sides of the change: 10:00 UTC in March, 09:00 UTC from April.
    assert datetime(2027, 3, 13, 10, tzinfo=UTC) in starts
    assert datetime(2027, 4, 3, 9, tzinfo=UTC) in starts
    # The cancelled date is gone; the moved one is at its new time only.
    assert datetime(2027, 3, 20, 10, tzinfo=UTC) not in starts
    assert datetime(2027, 4, 10, 9, tzinfo=UTC) not in starts
    assert datetime(2027, 4, 11, 13, tzinfo=UTC) in starts
    assert len(starts) == 7  # 6 Mar … 24 Apr is 8 Saturdays: one cancelled, one moved to the Sunday


def test_feed_expanded_equals_site_for_sliding_windows(client, market, olga_calendar):
    f.event(
        olga_calendar,
        "Members' meeting",
        start=datetime(2027, 3, 3, 19),
        end=datetime(2027, 3, 3, 21),
        frequency="MONTHLY",
    )
    f.event(olga_calendar, "Fair", start=datetime(2027, 3, 27, 23), end=datetime(2027, 3, 28, 3))
    feed = _feed(client)
    for offset in range(0, 70, 9):
        start = datetime(2027, 2, 20, tzinfo=UTC) + timedelta(days=offset)
        end = start + timedelta(days=11)
        assert _expanded(feed, start, end) == _site(start, end), (start, end)


def test_feed_is_rfc5545_with_rrule_exdate_recurrence_id(client, market):
    feed = _feed(client)
    assert feed["VERSION"] == "2.0" and feed["PRODID"]
    events = [c for c in feed.walk("VEVENT")]
    master = next(c for c in events if "RRULE" in c)
    override = next(c for c in events if "RECURRENCE-ID" in c)
    assert master["RRULE"]["FREQ"] == ["WEEKLY"]
    assert master["RRULE"]["UNTIL"][0].tzinfo is not None  # UTC UNTIL with a zoned DTSTART
    assert master["DTSTART"].params["TZID"] == "Europe/London"
    exdates = [d.dt for exdate in [master["EXDATE"]] for d in exdate.dts]
    assert exdates == [datetime(2027, 3, 20, 10, tzinfo=LONDON)]
    assert override["UID"] == master["UID"]
    assert override.decoded("RECURRENCE-ID") == datetime(2027, 4, 10, 10, tzinfo=LONDON)
    for component in events:
        assert "DTSTAMP" in component and "UID" in component
    assert any(tz["TZID"] == "Europe/London" for tz in feed.walk("VTIMEZONE"))


def test_feed_uid_stable_and_globally_unique(client, market, olga_calendar):
    other = f.event(olga_calendar, "Fair", start=datetime(2027, 3, 27, 11), end=datetime(2027, 3, 27, 15))
    first = {
        str(c["SUMMARY"]): str(c["UID"]) for c in _feed(client).walk("VEVENT") if "RECURRENCE-ID" not in c
    }
    market.title = "Saturday farmers' market"
    market.save()
    second = {
        str(c["SUMMARY"]): str(c["UID"]) for c in _feed(client).walk("VEVENT") if "RECURRENCE-ID" not in c
    }
    assert first["Saturday market"] == second["Saturday farmers' market"]
    assert first["Fair"] == second["Fair"] == f"{other.detail.uid}@127.0.0.1"
    assert len(set(second.values())) == 2


def test_calendar_feed_only_has_that_calendar(client, market, olga_calendar, otto_calendar):
    f.event(olga_calendar, "Fair", start=datetime(2027, 3, 27, 11), end=datetime(2027, 3, 27, 15))
    feed = _feed(client, f"/events/calendars/{olga_calendar.slug}.ics")
    assert {str(c["SUMMARY"]) for c in feed.walk("VEVENT")} == {"Fair"}
    assert str(feed["X-WR-CALNAME"]) == olga_calendar.name


def test_feeds_leave_out_unpublished_events(client, otto_calendar):
    f.event(
        otto_calendar,
        "Draft",
        start=datetime(2027, 3, 27, 11),
        end=datetime(2027, 3, 27, 15),
        published=False,
    )
    assert list(_feed(client).walk("VEVENT")) == []
    assert list(_feed(client, f"/events/calendars/{otto_calendar.slug}.ics").walk("VEVENT")) == []


def test_event_ics_has_the_one_event(client, market):
    feed = _feed(client, f"/events/e/{market.pk}.ics")
    assert {str(c["SUMMARY"]) for c in feed.walk("VEVENT")} == {"Saturday market"}


def test_event_ics_of_unpublished_event_is_404(client, otto_calendar):
    draft = f.event(
        otto_calendar,
        "Draft",
        start=datetime(2027, 3, 27, 11),
        end=datetime(2027, 3, 27, 15),
        published=False,
    )
    assert client.get(f"/events/e/{draft.pk}.ics").status_code == 404


def test_all_day_event_feed_uses_dates_and_matches_site(client, otto_calendar):
    f.event(
        otto_calendar,
        "Open day",
        start=datetime(2027, 3, 27, 0),
        end=datetime(2027, 3, 27, 0),  # all-day: the last day, inclusive
        all_day=True,
        frequency="WEEKLY",
        repeat_until=date(2027, 4, 17),
    )
    feed = _feed(client)
    master = feed.walk("VEVENT")[0]
    assert master.decoded("DTSTART") == date(2027, 3, 27)
    assert isinstance(master["RRULE"]["UNTIL"][0], date)
    expanded = sorted(
        c.decoded("DTSTART")
        for c in recurring_ical_events.of(feed).between(date(2027, 3, 1), date(2027, 5, 1))
    )
    site = sorted(o.start.astimezone(LONDON).date() for o in occurrences_between(events_published(), *WINDOW))
    assert expanded == site == [date(2027, 3, 27), date(2027, 4, 3), date(2027, 4, 10), date(2027, 4, 17)]


def test_scheduler_ical_address_serves_our_feed_with_recurrence(client, market, otto_calendar):
    feed = _feed(client, f"/events/ical/calendar/{otto_calendar.slug}/")
    assert any("RRULE" in c for c in feed.walk("VEVENT"))


def _make_events(calendar, n):
    for i in range(n):
        f.event(
            calendar,
            f"E{i}",
            start=datetime(2027, 3, 1 + i % 20, 10),
            end=datetime(2027, 3, 1 + i % 20, 11),
            frequency="WEEKLY",
        )


def test_feed_query_count_does_not_grow_with_events(client, otto_calendar, olga_calendar):
    _make_events(otto_calendar, 5)
    with CaptureQueriesContext(connection) as few:
        client.get("/events/feed.ics")
    _make_events(olga_calendar, 60)
    with CaptureQueriesContext(connection) as many:
        client.get("/events/feed.ics")
    assert len(many) == len(few)


def test_site_occurrences_query_count_does_not_grow_with_events(otto_calendar, olga_calendar):
    _make_events(otto_calendar, 5)
    with CaptureQueriesContext(connection) as few:
        occurrences_between(events_published().filter(calendar=otto_calendar), *WINDOW)
    _make_events(olga_calendar, 60)
    with CaptureQueriesContext(connection) as many:
        found = occurrences_between(events_published(), *WINDOW)
    assert len(found) > 400
    assert len(many) == len(few)
