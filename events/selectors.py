"""Reads: which events a user may see, and their occurrences in a window, expanded in each event's zone."""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from schedule.models import Calendar, Event, Occurrence

from .models import Booking, TicketType, WaitingListEntry
from .permissions import organiser_calendars


def _is_staff(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_staff or user.is_superuser))


def calendars_public() -> QuerySet[Calendar]:
    """Calendars listed to everyone: those with no ownership row yet and those marked public."""
    return Calendar.objects.filter(Q(ownership__isnull=True) | Q(ownership__is_public=True)).order_by("name")


def _with_occurrence_data(events: QuerySet[Event]) -> QuerySet[Event]:
    # Everything expansion touches, fetched up front: the query count does not grow with occurrences.
    return events.select_related("detail", "detail__category", "calendar", "rule").prefetch_related(
        "occurrence_set"
    )


def events_published() -> QuerySet[Event]:
    """Events the public may see: published, in a public calendar."""
    return _with_occurrence_data(
        Event.objects.filter(detail__published=True).filter(
            Q(calendar__ownership__isnull=True) | Q(calendar__ownership__is_public=True)
        )
    )


def events_visible_to(user) -> QuerySet[Event]:
    """Published events for everyone, plus every event of the calendars `user` may edit."""
    if _is_staff(user):
        return _with_occurrence_data(Event.objects.all())
    public = Q(detail__published=True) & (
        Q(calendar__ownership__isnull=True) | Q(calendar__ownership__is_public=True)
    )
    if user and user.is_authenticated:
        own = organiser_calendars(user).values("pk")
        return _with_occurrence_data(Event.objects.filter(public | Q(calendar__in=own)).distinct())
    return _with_occurrence_data(Event.objects.filter(public))


def event_zone(event: Event) -> ZoneInfo:
    detail = getattr(event, "detail", None)
    return ZoneInfo(detail.time_zone if detail else settings.TIME_ZONE)


def _overlapping(events: QuerySet[Event], start: datetime, end: datetime) -> QuerySet[Event]:
    starts_before_end = Q(start__lt=end) & (
        Q(rule__isnull=True, end__gt=start)
        | Q(rule__isnull=False, end_recurring_period__isnull=True)
        | Q(rule__isnull=False, end_recurring_period__gte=start)
    )
    # a moved occurrence may land far from its event's own dates
    moved_in = Q(occurrence__start__lt=end, occurrence__end__gt=start)
    return events.filter(starts_before_end | moved_in).distinct()


def occurrences_between(
    events: Iterable[Event] | QuerySet[Event], start: datetime, end: datetime, *, include_cancelled=False
) -> list[Occurrence]:
    """Every occurrence overlapping [start, end), moved ones where they moved to, sorted by start.

    Each event's rule is expanded in the event's own zone (django-scheduler expands in the zone of
    the window it is given), so local wall-clock times hold across DST changes.
    """
    if isinstance(events, QuerySet):
        events = _overlapping(events, start, end)
    found = []
    for event in events:
        zone = event_zone(event)
        for occurrence in event.get_occurrences(
            start.astimezone(zone), end.astimezone(zone), clear_prefetch=False
        ):
            if occurrence.cancelled and not include_cancelled:
                continue
            if occurrence.start < end and occurrence.end > start:
                found.append(occurrence)
    found.sort(key=lambda occurrence: (occurrence.start, occurrence.event_id))
    return found


def occurrences_upcoming(events: QuerySet[Event], *, limit: int, after: datetime | None = None):
    """The next `limit` occurrences (within a year) of `events`."""
    after = after or timezone.now()
    return occurrences_between(events, after, after + timedelta(days=366))[:limit]


def occurrence_get(event: Event, original_start: datetime) -> Occurrence | None:
    """The occurrence of `event` that originally starts at `original_start` (persisted or generated)."""
    persisted = Occurrence.objects.filter(event=event, original_start=original_start).first()
    if persisted:
        return persisted
    zone = event_zone(event)
    occurrence = event.get_occurrence(original_start.astimezone(zone))
    if occurrence is None or occurrence.start != original_start:
        return None
    return occurrence


def occurrence_local_day(occurrence: Occurrence) -> date:
    return occurrence.start.astimezone(event_zone(occurrence.event)).date()


def ticket_types_for(event: Event, original_start: datetime) -> list[TicketType]:
    """Ticket types valid for one occurrence: those for every occurrence and those for this one."""
    return list(
        TicketType.objects.filter(event=event)
        .filter(Q(occurrence_start__isnull=True) | Q(occurrence_start=original_start))
        .annotate(
            taken=Count(
                "bookings",
                filter=Q(bookings__occurrence_start=original_start, bookings__status="confirmed"),
            )
        )
    )


def places_taken(ticket_type: TicketType, original_start: datetime, *, now: datetime | None = None) -> int:
    """Confirmed bookings plus places held for people offered one from the waiting list."""
    now = now or timezone.now()
    booked = Booking.objects.filter(
        ticket_type=ticket_type, occurrence_start=original_start, status=Booking.Status.CONFIRMED
    ).count()
    held = WaitingListEntry.objects.filter(
        ticket_type=ticket_type,
        occurrence_start=original_start,
        status=WaitingListEntry.Status.OFFERED,
        offer_expires_at__gt=now,
    ).count()
    return booked + held


def bookings_of(user) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(user=user)
        .select_related("ticket_type__event__detail")
        .order_by("-occurrence_start")
    )
