"""Recurrence as an organiser reads it: a rule in words ("every Wednesday until 31 March") and the
next dates it gives. Pure functions of the form's values: no database, no request."""

from collections.abc import Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from dateutil import rrule
from django.utils import dateformat

from .models import FREQUENCIES

# The same dateutil frequencies django-scheduler expands a Rule's frequency name with.
_RRULE_FREQUENCY = {name: getattr(rrule, name) for name in FREQUENCIES}
PREVIEW_COUNT = 5


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def recurrence_words(frequency: str, start: datetime, until: date | None = None) -> str:
    """ "Every Wednesday until 31 March 2027", "Every month on the 9th", "Once" for a one-off event."""
    if not frequency:
        return "Once"
    words = {
        "DAILY": "Every day",
        "WEEKLY": f"Every {dateformat.format(start, 'l')}",
        "MONTHLY": f"Every month on the {_ordinal(start.day)}",
        "YEARLY": f"Every year on {dateformat.format(start, 'j F')}",
    }[frequency]
    if until is not None:
        # The year only when it is not the start's: "until 31 March" reads better within one season.
        words += f" until {dateformat.format(until, 'j F' if until.year == start.year else 'j F Y')}"
    return words


def next_dates(
    frequency: str,
    start: datetime,
    *,
    time_zone: str,
    until: date | None = None,
    after: datetime | None = None,
    count: int = PREVIEW_COUNT,
) -> Sequence[datetime]:
    """The first `count` starts of the series (from `after` on, if given), wall-clock `start` kept in
    `time_zone` across daylight-saving changes as django-scheduler keeps it."""
    zone = ZoneInfo(time_zone)
    first = start.replace(tzinfo=zone) if start.tzinfo is None else start.astimezone(zone)
    if not frequency:
        return [first] if after is None or first >= after else []
    end = datetime.combine(until, time.max, zone) if until else None
    # Expanded naive (wall clock), then zoned: 19:00 stays 19:00 on both sides of a clock change.
    rule = rrule.rrule(
        _RRULE_FREQUENCY[frequency],
        dtstart=first.replace(tzinfo=None),
        until=end and end.replace(tzinfo=None),
    )
    dates = []
    for moment in rule:
        zoned = moment.replace(tzinfo=zone)
        if after is not None and zoned < after:
            continue
        dates.append(zoned)
        if len(dates) == count:
            break
    return dates


def preview(
    frequency: str, start: datetime, *, time_zone: str, until: date | None = None
) -> dict[str, object]:
    """What the event form shows under "Repeats": the rule in words and its next dates, labelled in
    the event's own zone (the JSON the live preview fetches, and the "Preview" button's context)."""
    zone = ZoneInfo(time_zone)
    dates = next_dates(frequency, start, time_zone=time_zone, until=until)
    return {
        "words": recurrence_words(frequency, start, until),
        "dates": [
            {"start": moment.isoformat(), "label": dateformat.format(moment.astimezone(zone), "D j M Y, H:i")}
            for moment in dates
        ],
        "time_zone": time_zone,
    }
