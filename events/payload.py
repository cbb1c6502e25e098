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

from .links import event_date_url
from .selectors import event_is_public, event_zone, occurrences_between, ticket_types_for

IDENTITY = {"object_type": "Event", "actor": "events"}  # an Event, sent by the @events actor


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
    base = {"page_id": page.pk, "title": page.title, "url": url}
    if page.event is None:
        # No dates, nothing to attend: `validate` refuses it as private and the log says why.
        return {
            **_base(base, published, updated),
            "summary": page.intro,
            "body_html": str(page.body),
            "is_private": True,
        }
    return _event_fields(
        page.event,
        base,
        published=published,
        updated=updated,
        summary=page.intro,
        body_html=str(page.body),
        restricted=page.get_view_restrictions().exists(),
    )


def event_payload(event) -> dict:
    """The same Event for a scheduler event no live page describes (made by an organiser, through
    django-scheduler's views or by the seed data): its address is its next date's page on this site."""
    _, _, original_start = _next_dates(event)
    return _event_fields(
        event,
        {
            "event_id": event.pk,
            "title": event.title,
            "url": _absolute(event_date_url(event.pk, original_start)),
        },
        published=event.created_on,
        updated=event.updated_on,
        summary="",
        body_html="",
        restricted=False,
    )


def event_tombstone_payload(event_id: int, title: str) -> dict:
    """What a Delete of an event federated as itself needs: who sends it and what it was."""
    return {**IDENTITY, "event_id": event_id, "title": title, "is_private": True}


def _base(base: dict, published, updated) -> dict:
    return {
        **IDENTITY,
        **base,
        "published": published.isoformat() if published else None,
        "updated": updated.isoformat() if updated else None,
        "tags": [],
        "authors": [],
    }


def _event_fields(
    event, base: dict, *, published, updated, summary: str, body_html: str, restricted: bool
) -> dict:
    detail = getattr(event, "detail", None)
    if detail is not None and detail.changed_at and (updated is None or detail.changed_at > updated):
        # Changed in the organiser pages since the last publish: remote servers compare `updated`.
        updated = detail.changed_at
    cancelled = bool(detail and detail.is_cancelled)
    start, end, original_start = _next_dates(event)
    zone = event_zone(event)
    local_start = start.astimezone(zone)
    ownership = getattr(event.calendar, "ownership", None)
    venue = ownership.venue if ownership else ""
    place = (detail.location if detail else "") or venue
    ticket_types = ticket_types_for(event, original_start)
    summary = summary or strip_tags(event.description or "").strip()
    if not summary:  # federated objects need a summary; the date and place say what it is
        summary = f"{local_start:%A %-d %B %Y, %H:%M}" + (f" · {place}" if place else "")
    category = detail.category if detail else None
    url = base["url"]
    return {
        **_base(base, published, updated),
        "summary": summary,
        "body_html": body_html or linebreaks(event.description or "", autoescape=True),
        # A cancelled event is deleted from the fediverse; were its page published again, it stays away.
        "is_private": restricted or not event_is_public(event),
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
