"""Writes for calendars and events: create a calendar, an event (one-off or recurring), shift a series."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from schedule.models import Calendar, Event, Rule

from . import federation
from .models import FREQUENCIES, CalendarOwnership, EventCategory, EventDetail


def calendar_create(*, name: str, owners=(), owner_groups=(), venue: str = "", is_public=True) -> Calendar:
    calendar = Calendar.objects.create(name=name, slug=_unique_calendar_slug(name))
    ownership = CalendarOwnership.objects.create(calendar=calendar, venue=venue, is_public=is_public)
    ownership.owners.set(owners)
    ownership.owner_groups.set(owner_groups)
    return calendar


def _unique_calendar_slug(name: str) -> str:
    base = slugify(name)[:40] or "calendar"
    slug, n = base, 1
    while Calendar.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def rule_for(frequency: str) -> Rule | None:
    """The shared scheduler Rule for a plain frequency ('' for a one-off event)."""
    if not frequency:
        return None
    if frequency not in FREQUENCIES:
        raise ValidationError(f"Unknown frequency {frequency!r}")
    rule = Rule.objects.filter(frequency=frequency, params="").order_by("pk").first()
    return rule or Rule.objects.create(
        name=FREQUENCIES[frequency],
        frequency=frequency,
        description=f"{FREQUENCIES[frequency]}, no exceptions",
    )


@dataclass(frozen=True)
class EventSpec:
    """What an organiser says about an event; times are wall-clock in `time_zone`."""

    title: str
    start: datetime  # naive local, or a date's midnight for all-day events
    end: datetime
    time_zone: str = settings.TIME_ZONE
    all_day: bool = False
    frequency: str = ""
    repeat_until: date | None = None
    description: str = ""
    location: str = ""
    category: EventCategory | None = None
    published: bool = True


def _aware(spec: EventSpec) -> tuple[datetime, datetime, datetime | None]:
    zone = ZoneInfo(spec.time_zone)
    start, end = spec.start, spec.end
    if spec.all_day:
        start = datetime.combine(start.date(), time.min)
        end = datetime.combine(max(end.date(), start.date()) + timedelta(days=1), time.min)
    start, end = start.replace(tzinfo=zone), end.replace(tzinfo=zone)
    if end <= start:
        raise ValidationError("An event must end after it starts.")
    until = None
    if spec.frequency and spec.repeat_until:
        until = datetime.combine(spec.repeat_until, time.max).replace(tzinfo=zone)
    return start, end, until


@transaction.atomic
def event_create(*, calendar: Calendar, spec: EventSpec, creator=None) -> Event:
    start, end, until = _aware(spec)
    event = Event.objects.create(
        calendar=calendar,
        title=spec.title,
        description=spec.description,
        start=start,
        end=end,
        rule=rule_for(spec.frequency),
        end_recurring_period=until,
        creator=creator,
    )
    EventDetail.objects.create(
        event=event,
        published=spec.published,
        all_day=spec.all_day,
        time_zone=spec.time_zone,
        location=spec.location,
        category=spec.category,
    )
    return event


def event_detail_ensure(event: Event) -> EventDetail:
    """Events made through django-scheduler's own forms get their details (unpublished) on first use."""
    detail, _ = EventDetail.objects.get_or_create(event=event)
    return detail


def event_changed(event: Event) -> None:
    """Something the event's federated object shows changed outside a page publish (dates, tickets):
    stamp it, and once this commits the fediverse gets an Update as for a re-publish."""
    EventDetail.objects.filter(event=event).update(changed_at=timezone.now())
    federation.event_report(event.pk)


@transaction.atomic
def event_shift(*, event: Event, delta: timedelta, resize: bool = False) -> Event:
    """Move the whole series by `delta` (or, resizing, only its end); stored occurrences keep their
    identity by moving their original dates with it."""
    from django.db.models import F

    shift_start = timedelta(0) if resize else delta
    event.start += shift_start
    event.end += delta
    event.save()
    event.occurrence_set.update(
        original_start=F("original_start") + shift_start, original_end=F("original_end") + delta
    )
    event_changed(event)
    return event
