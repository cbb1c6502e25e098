"""What the calendar pages print for each occurrence, computed once per occurrence in Python.

A month of 500 events shows thousands of occurrences: date filters, a URL reverse and relation
lookups per occurrence in the templates were most of the page's time. Day labels repeat, so each
is formatted once.
"""

import calendar as pycalendar
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from html import escape
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import QuerySet
from django.utils import dateformat, timezone
from django.utils.safestring import mark_safe
from schedule.models import Event, Occurrence

from .links import occurrence_url
from .models import OCCURRENCE_OPTION_CODE
from .recurrence import recurrence_words
from .selectors import event_zone, occurrences_between


def occurrences_for_display(occurrences: Sequence[Occurrence]) -> Sequence[Occurrence]:
    """Set local_start, start_iso, time_label, when, url and place on each occurrence (for
    _occurrence_row.html and the month grid): the text the templates' date filters made, in the
    current time zone."""

    zone = timezone.get_current_timezone()  # once: each lookup goes through asgiref's context-local
    day_labels: dict = {}
    for occurrence in occurrences:
        start, end = occurrence.start.astimezone(zone), occurrence.end.astimezone(zone)
        occurrence.local_start = start
        day = start.date()
        label = day_labels.get(day)
        if label is None:
            label = day_labels[day] = dateformat.format(start, "D j M Y")
        detail = getattr(occurrence.event, "detail", None)
        all_day = bool(detail and detail.all_day)
        occurrence.start_iso = start.isoformat()  # what the date filter's "c" prints
        occurrence.time_label = "" if all_day else f"{start:%H:%M}"
        occurrence.when = f"{label} (all day)" if all_day else f"{label}, {start:%H:%M}–{end:%H:%M}"
        occurrence.url = occurrence_url(occurrence)
        occurrence.place = detail.location if detail else ""
        occurrence.event_cancelled = bool(detail and detail.cancelled_at)
    return occurrences


def month_cell_html(occurrences: Sequence[Occurrence]) -> str:
    """One day of the month grid as HTML, built here rather than by the template: a busy month is
    thousands of occurrences and the template's per-variable work was most of the page."""
    return mark_safe(  # every value below is escaped
        "".join(
            f'<div class="event-occurrence" data-start="{escape(o.start_iso)}"><a href="{escape(o.url)}">'
            f"{escape(o.time_label) + ' ' if o.time_label else ''}{escape(o.title)}</a></div>"
            for o in occurrences
        )
    )


_MONTH = re.compile(r"(\d{4})-(\d{2})")
# A month far from today would expand every open-ended rule from its start to there: a cheap way to
# make the server spin, and nobody plans a market a century out.
_MONTHS_REACHABLE = 100 * 12


def month_from_param(value: str | None, today: date) -> date:
    """The first day of the month `value` names as YYYY-MM, or of today's month when it names none
    (missing, malformed, or too far from today)."""
    this_month = today.replace(day=1)
    match = _MONTH.fullmatch(value or "")
    if not match:
        return this_month
    year, month = int(match[1]), int(match[2])
    if not 1 <= month <= 12 or abs((year - today.year) * 12 + month - today.month) > _MONTHS_REACHABLE:
        return this_month
    return date(year, month, 1)


@dataclass(frozen=True)
class MonthGrid:
    """A month as whole weeks from Monday: each day is (date, in this month?, its occurrences' HTML)."""

    month: date
    weeks: list[list[tuple[date, bool, str]]]
    previous_month: str  # YYYY-MM, for ?month=
    next_month: str
    occurrences: Sequence[Occurrence]


def month_grid(events: QuerySet[Event], month: date) -> MonthGrid:
    """The month starting `month` (a first of the month) with the occurrences of `events`, the days
    of the neighbouring months that complete its first and last weeks included."""
    last = month.replace(day=pycalendar.monthrange(month.year, month.month)[1])
    grid_start = month - timedelta(days=month.weekday())
    grid_end = last + timedelta(days=7 - last.weekday())
    zone = timezone.get_current_timezone()
    occurrences = occurrences_for_display(
        occurrences_between(
            events, datetime.combine(grid_start, time.min, zone), datetime.combine(grid_end, time.min, zone)
        )
    )
    by_day: dict[date, list[Occurrence]] = {}
    for occurrence in occurrences:
        by_day.setdefault(occurrence.local_start.date(), []).append(occurrence)
    weeks = []
    for week_start in range(0, (grid_end - grid_start).days, 7):
        days = (grid_start + timedelta(days=week_start + n) for n in range(7))
        weeks.append([(day, day.month == month.month, month_cell_html(by_day.get(day, []))) for day in days])
    return MonthGrid(
        month=month,
        weeks=weeks,
        previous_month=f"{month - timedelta(days=1):%Y-%m}",
        next_month=f"{last + timedelta(days=1):%Y-%m}",
        occurrences=occurrences,
    )


def event_recurrence_words(event: Event) -> str:
    """ "Every Wednesday until 31 March" for an event our form made; a rule django-scheduler's own
    forms made with extra parameters (by weekday, by month) is named by its rule's name."""
    rule = event.rule
    if rule is None:
        return ""
    if rule.params:
        return rule.name
    zone = event_zone(event)
    until = event.end_recurring_period.astimezone(zone).date() if event.end_recurring_period else None
    return recurrence_words(rule.frequency, event.start.astimezone(zone), until)


# --- one ticket, one line: basket, order, emails, "your tickets" ---------------------------------------


def when_local(start: datetime, *, all_day: bool = False) -> str:
    """ "Wed 9 Dec 2026, 19:00" in the site's time zone (settings.TIME_ZONE), whatever zone the request,
    the Celery worker or the stored value is in."""
    local = timezone.localtime(start, ZoneInfo(settings.TIME_ZONE))
    return dateformat.format(local, "D j M Y" if all_day else "D j M Y, H:i")


def ticket_line(event: Event, start: datetime) -> str:
    """ "Pottery evening — Wed 9 Dec 2026, 19:00 (Wheel place)": what a ticket is for, everywhere one
    is named."""
    detail = getattr(event, "detail", None)
    place = detail.location if detail else ""
    text = f"{event.title} — {when_local(start, all_day=bool(detail and detail.all_day))}"
    return f"{text} ({place})" if place else text


def booking_line(booking) -> str:
    return ticket_line(booking.ticket_type.event, booking.occurrence_start)


def shop_line_label(line) -> str:
    """An Oscar basket or order line as the customer should read it: a ticket by its event, date and
    place; anything else by Oscar's own description."""
    product = getattr(line, "product", None)
    try:
        ticket_type = product.ticket_type if product is not None else None
    except ObjectDoesNotExist:
        ticket_type = None
    if ticket_type is not None:
        value = next(
            (a.value for a in line.attributes.all() if a.option.code == OCCURRENCE_OPTION_CODE), None
        )
        try:
            start = datetime.fromisoformat(str(value))
        except ValueError:
            start = None
        if start is not None:
            return ticket_line(ticket_type.event, start)
    return line.description
