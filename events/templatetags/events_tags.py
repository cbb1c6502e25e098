"""Template tags: the compact "next events" fragment and occurrence links."""

from datetime import timedelta

from django import template
from django.utils import timezone

from ..selectors import events_published, occurrences_between
from ..views import occurrence_url as _occurrence_url

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
