"""An event page as plain data for whoever federates it (social reads it through settings, never imported).

ActivityPub has no recurrence, so a recurring event is published as its next date (as Mobilizon and
Gancio show one); its page, linked from the object, lists the others.
"""

import mimetypes
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.html import linebreaks, strip_tags

from .selectors import calendars_public, event_zone, occurrences_between, ticket_types_for


def _absolute(url: str) -> str:
    return urljoin(settings.SITE_URL + "/", url)


def _next_dates(event):
    """The next (not cancelled) occurrence's start and end, else the event's own (a past event)."""
    now = timezone.now()
    upcoming = occurrences_between([event], now, now + timedelta(days=366))
    if upcoming:
        return upcoming[0].start, upcoming[0].end, upcoming[0].original_start
    return event.start, event.end, event.start


def _image(detail) -> dict | None:
    if detail is None or not detail.image_id:
        return None
    rendition = detail.image.get_rendition("fill-1200x630")
    return {
        "url": _absolute(rendition.url),
        "alt": detail.image.title,
        "media_type": mimetypes.guess_type(rendition.file.name)[0] or "image/jpeg",
        "width": rendition.width,
        "height": rendition.height,
    }


def event_page_payload(page) -> dict:
    """What social federates for an EventPage: an Event by the @events actor (see social objects)."""
    url = settings.SITE_URL + urlsplit(page.get_url() or "/").path
    published = page.first_published_at
    updated = page.last_published_at or page.latest_revision_created_at or published
    event = page.event
    base = {
        "object_type": "Event",
        "actor": "events",
        "page_id": page.pk,
        "title": page.title,
        "url": url,
        "published": published.isoformat() if published else None,
        "updated": updated.isoformat() if updated else None,
        "tags": [],
        "authors": [],
    }
    if event is None:
        # No dates, nothing to attend: `validate` refuses it as private and the log says why.
        return {**base, "summary": page.intro, "body_html": str(page.body), "is_private": True}
    detail = getattr(event, "detail", None)
    if detail is not None and detail.changed_at and (updated is None or detail.changed_at > updated):
        # Changed in the organiser pages since the last publish: remote servers compare `updated`.
        base["updated"] = detail.changed_at.isoformat()
    cancelled = bool(detail and detail.is_cancelled)
    start, end, original_start = _next_dates(event)
    zone = event_zone(event)
    local_start = start.astimezone(zone)
    ownership = getattr(event.calendar, "ownership", None)
    venue = ownership.venue if ownership else ""
    place = (detail.location if detail else "") or venue
    ticket_types = ticket_types_for(event, original_start)
    summary = page.intro or strip_tags(event.description or "").strip()
    if not summary:  # federated objects need a summary; the date and place say what it is
        summary = f"{local_start:%A %-d %B %Y, %H:%M}" + (f" · {place}" if place else "")
    category = detail.category if detail else None
    public = bool(detail and detail.published) and calendars_public().filter(pk=event.calendar_id).exists()
    return {
        **base,
        "summary": summary,
        "body_html": str(page.body) or linebreaks(event.description or "", autoescape=True),
        # A cancelled event is deleted from the fediverse; were its page published again, it stays away.
        "is_private": cancelled or not public or page.get_view_restrictions().exists(),
        # In the event's zone: remote servers show the local time and its offset as the organiser meant.
        "start_time": local_start.isoformat(),
        "end_time": end.astimezone(zone).isoformat(),
        "time_zone": str(zone),
        "all_day": bool(detail and detail.all_day),
        "location": (
            {"name": place, "address": venue if venue and venue != place else ""} if place else None
        ),
        # Places are booked (or bought) on our site, so remote servers send people there to join.
        "join_mode": "external" if ticket_types else "free",
        "participation_url": url if ticket_types else None,
        "maximum_attendee_capacity": sum(t.quota for t in ticket_types) if ticket_types else None,
        "category": {"slug": category.slug, "name": category.name, "urgent": False} if category else None,
        "hero_image": _image(detail),
        "status": "CANCELLED" if cancelled else "CONFIRMED",
    }
