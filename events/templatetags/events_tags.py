"""Template tags: the compact "next events" fragment and occurrence links."""

from datetime import timedelta

from django import template
from django.utils import timezone

from .. import display
from ..links import map_url as _map_url
from ..links import occurrence_url as _occurrence_url
from ..selectors import events_published, occurrences_between

register = template.Library()


@register.inclusion_tag("events/next_events.html")
def next_events(count: int = 3, calendar: str = ""):
    """`{% load events_tags %}{% next_events 3 %}`: the next published occurrences, for the home page."""
    events = events_published()
    if calendar:
        events = events.filter(calendar__slug=calendar)
    now = timezone.now()
    return {"occurrences": occurrences_between(events, now, now + timedelta(days=366))[:count]}


@register.filter
def occurrence_url(occurrence) -> str:
    return _occurrence_url(occurrence)


@register.filter
def ticket_line(holder) -> str:
    """`{{ booking|ticket_line }}` (a booking or a waiting-list entry): "Pottery evening — Wed 9 Dec
    2026, 19:00 (Wheel place)" in the site's time zone."""
    return display.ticket_line(holder.ticket_type.event, holder.occurrence_start)


@register.filter
def ticket_at(event, start) -> str:
    """`{{ event|ticket_at:start }}`: the same line for an event at a given start."""
    return display.ticket_line(event, start)


@register.filter
def shop_line(line) -> str:
    """`{{ line|shop_line }}`: an Oscar basket or order line, a ticket named by its event and date."""
    return display.shop_line_label(line)


@register.filter
def map_url(place: str) -> str:
    """`{{ place|map_url }}`: OpenStreetMap's search for the place (the address is query-encoded)."""
    return _map_url(place)


@register.filter
def repeats(event) -> str:
    """`{{ event|repeats }}`: "Every Wednesday until 31 March", or "" for a one-off event."""
    return display.event_recurrence_words(event)
