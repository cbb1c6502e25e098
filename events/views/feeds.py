"""iCalendar feeds: every published event, one calendar, one event."""

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from ..ical import calendar_ical, occurrence_ical
from ..links import event_public_url, occurrence_url
from ..selectors import (
    calendars_public,
    events_published,
    occurrence_get,
)
from .common import from_timestamp, visible_event


def _ics(body: bytes, filename: str, *, download: bool = False) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    # Feeds are subscribed to (inline); "Add to calendar" saves a file the calendar program opens.
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


@require_safe
def feed(request, **_ignored):
    events = events_published().select_related("page")
    return _ics(calendar_ical(events, name="All events", url_for=event_public_url), "events.ics")


@require_safe
def calendar_feed(request, slug: str):
    calendar = get_object_or_404(calendars_public(), slug=slug)
    events = events_published().filter(calendar=calendar).select_related("page")
    return _ics(calendar_ical(events, name=calendar.name, url_for=event_public_url), f"{calendar.slug}.ics")


@require_safe
def event_ics(request, event_id: int):
    event = get_object_or_404(events_published(), pk=event_id)
    body = calendar_ical([event], name=event.title, url_for=event_public_url)
    return _ics(body, f"event-{event.pk}.ics", download=True)


@require_safe
def occurrence_ics(request, event_id: int, timestamp: int):
    # Whoever may see the date's page may save it: an organiser checks a draft's dates too.
    event = visible_event(request, event_id)
    occurrence = occurrence_get(event, from_timestamp(timestamp))
    if occurrence is None or getattr(event, "detail", None) is None:
        raise Http404("No such date")
    url = request.build_absolute_uri(occurrence_url(occurrence))
    return _ics(
        occurrence_ical(event, occurrence, url=url), f"event-{event.pk}-{timestamp}.ics", download=True
    )


def scheduler_calendar_ical(request, slug: str):
    # django-scheduler's own feed drops recurrence and unpublished checks: serve ours at its address.
    return calendar_feed(request, slug)
