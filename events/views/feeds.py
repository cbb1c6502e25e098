"""iCalendar feeds: every published event, one calendar, one event."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe

from ..ical import calendar_ical
from ..links import event_public_url
from ..selectors import (
    calendars_public,
    events_published,
)


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
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
    return _ics(calendar_ical([event], name=event.title, url_for=event_public_url), f"event-{event.pk}.ics")


def scheduler_calendar_ical(request, slug: str):
    # django-scheduler's own feed drops recurrence and unpublished checks: serve ours at its address.
    return calendar_feed(request, slug)
