"""Occurrence expansion: our fast path answers exactly what django-scheduler's get_occurrences does."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events import cancellation, occurrences
from events.selectors import event_occurrences, events_published
from tests.factories import events as f

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def _spans(occurrences):
    return sorted((o.start, o.end, o.original_start, o.cancelled, o.pk) for o in occurrences)


def test_event_occurrences_equal_scheduler_across_dst_with_moves_and_cancellations(otto_calendar):
    weekly = f.event(
        otto_calendar,
        "Market",
        start=datetime(2027, 1, 2, 10),
        end=datetime(2027, 1, 2, 13),
        frequency="WEEKLY",
        repeat_until=date(2027, 11, 30),
        time_zone="Europe/London",
    )
    cancellation.occurrence_cancel(event=weekly, original_start=datetime(2027, 3, 20, 10, tzinfo=LONDON))
    occurrences.occurrence_move(  # moved from outside the March window into it, and one out of it
        event=weekly,
        original_start=datetime(2027, 4, 10, 10, tzinfo=LONDON),
        new_start=datetime(2027, 3, 31, 14, tzinfo=LONDON),
    )
    occurrences.occurrence_move(
        event=weekly,
        original_start=datetime(2027, 3, 6, 10, tzinfo=LONDON),
        new_start=datetime(2027, 2, 20, 14, tzinfo=LONDON),
    )
    f.event(otto_calendar, "Once", start=datetime(2027, 3, 5, 9), end=datetime(2027, 3, 5, 11))
    windows = [
        (datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC)),
        (datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC)),
        (datetime(2027, 3, 20, 11, tzinfo=UTC), datetime(2027, 3, 27, 10, tzinfo=UTC)),  # starts mid-date
        (datetime(2027, 10, 30, tzinfo=UTC), datetime(2027, 11, 2, tzinfo=UTC)),  # back to winter time
    ]
    for event in events_published():
        zone = ZoneInfo(event.detail.time_zone)
        for start, end in windows:
            ours = event_occurrences(event, start, end)
            theirs = event.get_occurrences(start.astimezone(zone), end.astimezone(zone), clear_prefetch=False)
            assert _spans(ours) == _spans(theirs), (event.title, start)
            assert all(o.event is event for o in ours)
    year = event_occurrences(weekly, *windows[1])
    assert len(year) == 48 and min(o.start for o in year) == datetime(2027, 1, 2, 10, tzinfo=UTC)
    assert timedelta(hours=3) in {o.end - o.start for o in year}
