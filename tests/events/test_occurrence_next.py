"""The next date of an event (the site search shows it): what the year's expansion would answer first,
though only the rule's first dates from then are walked."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events import cancellation, occurrences
from events.selectors import event_occurrences, events_published, occurrence_next
from tests.factories import events as f

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def next_from_the_year(event, after):
    upcoming = [
        o
        for o in event_occurrences(event, after, after + timedelta(days=366))
        if not o.cancelled and o.start >= after
    ]
    return min(upcoming, key=lambda o: o.start, default=None)


def test_occurrence_next_is_the_first_of_the_year_with_moves_cancellations_and_an_end(otto_calendar):
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
    occurrences.occurrence_move(  # a later date moved before the next one
        event=weekly,
        original_start=datetime(2027, 4, 10, 10, tzinfo=LONDON),
        new_start=datetime(2027, 3, 24, 14, tzinfo=LONDON),
    )
    occurrences.occurrence_move(  # the next date moved later
        event=weekly,
        original_start=datetime(2027, 3, 6, 10, tzinfo=LONDON),
        new_start=datetime(2027, 3, 8, 14, tzinfo=LONDON),
    )
    f.event(
        otto_calendar,
        "Monthly",
        start=datetime(2027, 1, 31, 19),
        end=datetime(2027, 1, 31, 21),
        frequency="MONTHLY",
    )
    f.event(otto_calendar, "Once", start=datetime(2027, 3, 5, 9), end=datetime(2027, 3, 5, 11))
    moments = [
        datetime(2026, 12, 1, tzinfo=UTC),  # before the first date
        datetime(2027, 3, 1, tzinfo=UTC),
        datetime(2027, 3, 6, 10, tzinfo=UTC),  # exactly a (moved away) date's start
        datetime(2027, 3, 19, 12, tzinfo=UTC),  # the next date is cancelled, a later one moved in
        datetime(2027, 10, 30, tzinfo=UTC),  # clocks go back
        datetime(2027, 11, 28, tzinfo=UTC),  # the last weekly date
        datetime(2028, 6, 1, tzinfo=UTC),  # after the end: none
    ]
    found = 0
    for event in events_published():
        for after in moments:
            ours, expected = occurrence_next(event, after), next_from_the_year(event, after)
            assert (ours and (ours.start, ours.original_start)) == (
                expected and (expected.start, expected.original_start)
            ), (event.title, after)
            found += ours is not None
    assert found > 8
    assert occurrence_next(weekly, datetime(2027, 3, 19, 12, tzinfo=UTC)).start == datetime(
        2027, 3, 24, 14, tzinfo=LONDON
    )
