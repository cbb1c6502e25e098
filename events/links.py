"""Addresses of events: an occurrence's page on this site, an event's public (Wagtail) page, a place's map."""

import functools
from urllib.parse import urlencode

from django.urls import get_script_prefix, reverse
from schedule.models import Event, Occurrence


@functools.lru_cache(maxsize=8)
def _occurrence_url_pattern(script_prefix: str) -> str:
    # One reverse() per process and prefix: month views and the API link hundreds of occurrences.
    return (
        reverse("events:occurrence", args=[123456789, 987654321])
        .replace("123456789", "{event}")
        .replace("987654321", "{timestamp}")
    )


def occurrence_url(occurrence: Occurrence) -> str:
    return event_date_url(occurrence.event_id, occurrence.original_start)


def event_date_url(event_id: int, original_start) -> str:
    """The page of the event's date that originally started at `original_start` (where it is booked)."""
    return _occurrence_url_pattern(get_script_prefix()).format(
        event=event_id, timestamp=int(original_start.timestamp())
    )


def event_public_url(event: Event) -> str:
    page = getattr(event, "page", None)
    if page is not None and page.live:
        return page.full_url or ""
    return ""


OPENSTREETMAP_SEARCH = "https://www.openstreetmap.org/search"


def map_url(place: str) -> str:
    """OpenStreetMap's search for `place`: the organiser's words, query-encoded, never part of the path."""
    return f"{OPENSTREETMAP_SEARCH}?{urlencode({'query': place.strip()})}"
