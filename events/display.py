"""What the calendar pages print for each occurrence, computed once per occurrence in Python.

A month of 500 events shows thousands of occurrences: date filters, a URL reverse and relation
lookups per occurrence in the templates were most of the page's time. Day labels repeat, so each
is formatted once.
"""

from collections.abc import Sequence
from html import escape

from django.utils import dateformat, timezone
from django.utils.safestring import mark_safe
from schedule.models import Occurrence


def occurrences_for_display(occurrences: Sequence[Occurrence]) -> Sequence[Occurrence]:
    """Set local_start, start_iso, time_label, when, url and place on each occurrence (for
    _occurrence_row.html and the month grid): the text the templates' date filters made, in the
    current time zone."""
    from .views import occurrence_url  # views import the ORM-heavy services: not at model loading

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
