"""iCalendar (RFC 5545): VEVENTs with RRULE, EXDATE for cancelled and RECURRENCE-ID for moved occurrences."""

from collections.abc import Iterable
from datetime import UTC, datetime
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone
from schedule.models import Event, Occurrence

from .selectors import event_zone, persisted_occurrences

PRODID = "-//Rose Ash Cooperative//Events//EN"


def event_uid(event: Event) -> str:
    # A UUID minted once per event and the site's host: globally unique and stable across renames.
    return f"{event.detail.uid}@{urlsplit(settings.SITE_URL).hostname}"


def _when(moment: datetime, event: Event):
    local = moment.astimezone(event_zone(event))
    return local.date() if event.detail.all_day else local


def _rrule(event: Event) -> icalendar.vRecur:
    # Serialise the very rrule django-scheduler expands, so feed and site cannot disagree.
    rule = event.get_rrule_object(event_zone(event))
    line = next(part for part in str(rule).splitlines() if part.startswith("RRULE:"))
    recur = icalendar.vRecur.from_ical(line.removeprefix("RRULE:"))
    recur.pop("UNTIL", None)
    if event.end_recurring_period:
        # RFC 5545: with a zoned DTSTART, UNTIL is UTC; with a DATE DTSTART it is a DATE.
        until = event.end_recurring_period
        recur["UNTIL"] = [
            until.astimezone(event_zone(event)).date() if event.detail.all_day else until.astimezone(UTC)
        ]
    return recur


def event_components(event: Event, *, stamp: datetime, url: str = "") -> list[icalendar.Event]:
    """The master VEVENT of `event` and one override VEVENT per moved occurrence."""
    detail = event.detail
    master = icalendar.Event()
    master.add("uid", event_uid(event))
    master.add("dtstamp", stamp)
    master.add("created", event.created_on)
    master.add("last-modified", event.updated_on)
    master.add("summary", event.title)
    if event.description:
        master.add("description", event.description)
    if detail.location:
        master.add("location", detail.location)
    if detail.category:
        master.add("categories", [detail.category.name])
    if url:
        master.add("url", url)
    if detail.is_cancelled:
        # Subscribers' calendars keep the event (same UID) and show it called off (RFC 5545 3.8.1.11).
        master.add("status", "CANCELLED")
    master.add("dtstart", _when(event.start, event))
    master.add("dtend", _when(event.end, event))
    components = [master]
    if event.rule_id:
        master.add("rrule", _rrule(event))
        persisted = persisted_occurrences(event)
        cancelled = [_when(occ.original_start, event) for occ in persisted if occ.cancelled]
        if cancelled:
            master.add("exdate", cancelled)
        for occ in persisted:
            if occ.cancelled or not occ.moved:
                continue
            moved = icalendar.Event()
            moved.add("uid", event_uid(event))
            moved.add("dtstamp", stamp)
            moved.add("recurrence-id", _when(occ.original_start, event))
            moved.add("summary", occ.title or event.title)
            if detail.location:
                moved.add("location", detail.location)
            moved.add("dtstart", _when(occ.start, event))
            moved.add("dtend", _when(occ.end, event))
            components.append(moved)
    return components


def calendar_ical(events: Iterable[Event], *, name: str, url_for=None) -> bytes:
    """A VCALENDAR of `events` (which must carry their details), with the VTIMEZONEs they use."""
    stamp = timezone.now().astimezone(UTC)
    feed = icalendar.Calendar()
    feed.add("prodid", PRODID)
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("x-wr-calname", name)
    for event in events:
        if getattr(event, "detail", None) is None:
            continue
        for component in event_components(event, stamp=stamp, url=url_for(event) if url_for else ""):
            feed.add_component(component)
    feed.add_missing_timezones()
    return feed.to_ical()


def occurrence_ical(event: Event, occurrence: Occurrence, *, url: str = "") -> bytes:
    """A VCALENDAR with one VEVENT: the one date "Add to calendar" on a date's page saves.

    Its UID is the series' with the original start added: a lone RECURRENCE-ID override with no
    master is read differently by every calendar program, while a one-off event is read alike.
    """
    detail = event.detail
    stamp = timezone.now().astimezone(UTC)
    component = icalendar.Event()
    uid = event_uid(event)
    component.add("uid", f"{int(occurrence.original_start.timestamp())}-{uid}" if event.rule_id else uid)
    component.add("dtstamp", stamp)
    component.add("summary", occurrence.title or event.title)
    if occurrence.description or event.description:
        component.add("description", occurrence.description or event.description)
    if detail.location:
        component.add("location", detail.location)
    if url:
        component.add("url", url)
    if detail.is_cancelled or occurrence.cancelled:
        component.add("status", "CANCELLED")
    component.add("dtstart", _when(occurrence.start, event))
    component.add("dtend", _when(occurrence.end, event))
    feed = icalendar.Calendar()
    feed.add("prodid", PRODID)
    feed.add("version", "2.0")
    feed.add("method", "PUBLISH")
    feed.add_component(component)
    feed.add_missing_timezones()
    return feed.to_ical()
