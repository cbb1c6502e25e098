"""Reads: which events a user may see, and their occurrences in a window, expanded in each event's zone."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.base import ModelState
from django.utils import timezone
from schedule.models import Calendar, Event, Occurrence

from .models import BOOKING_HOLDS_PLACE, BOOKING_OPEN, Booking, TicketType
from .permissions import organiser_calendars


def _is_staff(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_staff or user.is_superuser))


def calendars_public() -> QuerySet[Calendar]:
    """Calendars listed to everyone: those with no ownership row yet and those marked public."""
    return Calendar.objects.filter(Q(ownership__isnull=True) | Q(ownership__is_public=True)).order_by("name")


def event_is_public(event: Event) -> bool:
    """Shown to everyone (and on the fediverse): published, not called off, in a public calendar."""
    detail = getattr(event, "detail", None)
    if detail is None or not detail.published or detail.is_cancelled:
        return False
    return calendars_public().filter(pk=event.calendar_id).exists()


PERSISTED = "persisted_occurrences"


def _with_occurrence_data(events: QuerySet[Event]) -> QuerySet[Event]:
    # Everything expansion touches, fetched up front: the query count does not grow with occurrences.
    # The stored occurrences go to a plain list: a prefetch into occurrence_set builds a QuerySet per event.
    return events.select_related("detail", "detail__category", "calendar", "rule").prefetch_related(
        Prefetch("occurrence_set", to_attr=PERSISTED)
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


def events_listed_to(user, calendar: Calendar | None = None) -> QuerySet[Event]:
    """What the /events/ calendar shows `user`: the published events of the public calendars (or of
    `calendar`) among those `user` may see; a private calendar's events stay on its organisers' pages."""
    events = events_visible_to(user).filter(detail__published=True, calendar__in=calendars_public())
    return events.filter(calendar=calendar) if calendar is not None else events


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


Span = tuple[datetime, datetime]


def _rule_spans(event: Event, start: datetime, end: datetime, zone: ZoneInfo) -> list[Span]:
    """The (start, end) of each generated occurrence of a recurring event overlapping [start, end).

    Exactly django-scheduler's Event._get_occurrence_list (the rule expanded as naive wall-clock times
    in `zone`, then localized as it does), but returning plain datetimes in UTC: building an Occurrence
    per date, its O(n²) de-duplication and pytz's localize were most of the cost of a long window.
    """
    if event.end_recurring_period and event.end_recurring_period < end:
        end = event.end_recurring_period
    rule = event.get_rrule_object(zone)
    duration = event.end - event.start
    naive_start = start.astimezone(zone).replace(tzinfo=None)
    naive_end = end.astimezone(zone).replace(tzinfo=None)
    starts = []
    before = rule.before(naive_start, inc=False)
    if before is not None and before + duration > naive_start:
        starts.append(before)
    inside = rule.between(naive_start, naive_end, inc=True)
    if inside and inside[-1] == naive_end:
        inside.pop()
    starts.extend(inside)
    spans = []
    for naive in starts:
        start_at = _localize(naive, zone).astimezone(UTC)
        # the end is the start plus the duration in real time, as django-scheduler's pytz arithmetic has it
        spans.append((start_at, start_at + duration))
    return spans


def _localize(naive: datetime, zone: ZoneInfo) -> datetime:
    """pytz's localize(is_dst=False), which django-scheduler uses, at a fraction of its cost: a wall time
    that happens twice (clocks go back) is the second, standard-time one; one skipped when clocks go
    forward keeps the offset from before the change."""
    local = naive.replace(tzinfo=zone)
    later = local.replace(fold=1)
    return later if later.utcoffset() < local.utcoffset() else local


def _occurrence_maker(event: Event):
    """A fast Occurrence constructor for one event: copies of one prototype instead of Model.__init__
    per date (the prototype carries the event in its relation cache, so `.event` costs no query)."""
    prototype = event._create_occurrence(event.start, event.end)

    def make(start: datetime, end: datetime) -> Occurrence:
        occurrence = Occurrence.__new__(Occurrence)
        occurrence.__dict__.update(prototype.__dict__)
        occurrence._state = ModelState()
        occurrence._state.fields_cache = {"event": event}
        occurrence.start = occurrence.original_start = start
        occurrence.end = occurrence.original_end = end
        return occurrence

    return make


def persisted_occurrences(event: Event) -> list[Occurrence]:
    """The event's stored (moved or cancelled) occurrences: prefetched by the selectors above, else
    one query."""
    prefetched = getattr(event, PERSISTED, None)
    return prefetched if prefetched is not None else list(event.occurrence_set.all())


def event_occurrences(event: Event, start: datetime, end: datetime) -> list[Occurrence]:
    """What event.get_occurrences(start, end) answers, in the event's own zone, from the prefetched
    persisted occurrences (moved or cancelled dates) looked up by their original start and end."""
    zone = event_zone(event)
    persisted = {(o.original_start, o.original_end): o for o in persisted_occurrences(event)}
    if event.rule_id is None:
        spans = [(event.start, event.end)] if event.start < end and event.end > start else []
    else:
        spans = _rule_spans(event, start, end, zone)
    found, make = [], None
    for span in spans:
        stored = persisted.pop(span, None)
        if stored is not None:
            if stored.start < end and stored.end >= start:
                found.append(stored)
            continue
        make = make or _occurrence_maker(event)
        found.append(make(*span))
    # persisted occurrences moved into the window from dates outside it
    found.extend(o for o in persisted.values() if o.start < end and o.end >= start and not o.cancelled)
    return found


def occurrences_between(
    events: Iterable[Event] | QuerySet[Event], start: datetime, end: datetime, *, include_cancelled=False
) -> list[Occurrence]:
    """Every occurrence overlapping [start, end), moved ones where they moved to, sorted by start.

    Each event's rule is expanded in the event's own zone (django-scheduler expands in the zone of
    the window it is given), so local wall-clock times hold across DST changes.
    """
    if isinstance(events, QuerySet):
        events = _overlapping(events, start, end)
    found = [
        occurrence
        for event in events
        for occurrence in event_occurrences(event, start, end)
        if (include_cancelled or not occurrence.cancelled)
        and occurrence.start < end
        and occurrence.end > start
    ]
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
                filter=Q(bookings__occurrence_start=original_start, bookings__state__in=BOOKING_HOLDS_PLACE),
            )
        )
    )


def places_taken(ticket_type: TicketType, original_start: datetime, *, now: datetime | None = None) -> int:
    """Bookings holding a place (not cancelled) plus places held for people offered one from the
    waiting list."""
    now = now or timezone.now()
    booked = Booking.objects.filter(
        ticket_type=ticket_type, occurrence_start=original_start, state__in=BOOKING_HOLDS_PLACE
    ).count()
    # Through the relation: the waiting list's model sits above the selectors (events.waiting_list).
    held = ticket_type.waiting_list.filter(
        occurrence_start=original_start,
        state="offered",
        offer_expires_at__gt=now,
    ).count()
    return booked + held


def bookings_of(user) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(user=user)
        .select_related("ticket_type__event__detail")
        .order_by("-occurrence_start")
    )


def bookings_refund_failed(event: Event) -> QuerySet[Booking]:
    """Cancelled paid tickets whose automatic refund gave up: someone must refund them from the order."""
    return Booking.objects.filter(
        ticket_type__event=event, refund_failed_at__isnull=False, refunded_at__isnull=True
    ).select_related("ticket_type", "order_line__order")


def bookings_held_for_event(event: Event, now: datetime | None = None) -> QuerySet[Booking]:
    """Open tickets (booked, not yet checked in) for the event's dates still to come: who is told when
    it is cancelled.

    A moved occurrence may start up to a week from its original start, so its bookings count too;
    a ticket already checked in was used, so it is neither cancelled nor refunded.
    """
    now = now or timezone.now()
    return Booking.objects.filter(
        ticket_type__event=event,
        state__in=BOOKING_OPEN,
        occurrence_start__gt=now - timedelta(days=7),
    )


def bookings_confirmed_count(event: Event, original_start: datetime) -> int:
    """How many places one date of the event has booked, checked in or not (the organiser's list of
    dates shows it)."""
    return Booking.objects.filter(
        ticket_type__event=event, occurrence_start=original_start, state__in=BOOKING_HOLDS_PLACE
    ).count()


def bookings_of_user_for(user, event: Event, original_start: datetime) -> QuerySet[Booking] | list:
    """The visitor's own places, not cancelled, for one date of the event; none for anonymous visitors."""
    if not user.is_authenticated:
        return []
    return Booking.objects.filter(
        user=user, ticket_type__event=event, occurrence_start=original_start, state__in=BOOKING_HOLDS_PLACE
    )


def occurrence_next(event: Event, after: datetime | None = None) -> Occurrence | None:
    """The event's next occurrence that is not cancelled, within a year, from its prefetched data (the
    selectors above): no query, whatever the number of events asked. What the first of
    event_occurrences(event, after, after + a year) would be, but the rule is walked only to its first
    date from `after`, not expanded over the year (a search shows a next date for each event it finds).
    """
    after = after or timezone.now()
    end = after + timedelta(days=366)
    persisted = persisted_occurrences(event)
    # A stored occurrence stands in for the generated date it was made from: moved (it counts where it
    # went) or cancelled (it does not count at all).
    moved = [o for o in persisted if not o.cancelled and after <= o.start < end]
    best = min(moved, key=lambda occurrence: occurrence.start, default=None)
    replaced = {(o.original_start, o.original_end) for o in persisted}
    span = _first_span(event, after, best.start if best is not None else end, replaced)
    if span is None:
        return best
    return _occurrence_maker(event)(*span)


def _first_span(event: Event, after: datetime, before: datetime, replaced: set[Span]) -> Span | None:
    """The event's first generated (start, end) starting in [after, before) that no stored occurrence
    replaces, from the rule as _rule_spans expands it."""
    if event.rule_id is None:
        span = (event.start, event.end)
        return span if after <= event.start < before and span not in replaced else None
    if event.end_recurring_period and event.end_recurring_period < before:
        before = event.end_recurring_period
    zone = event_zone(event)
    duration = event.end - event.start
    naive_before = before.astimezone(zone).replace(tzinfo=None)
    for naive in event.get_rrule_object(zone).xafter(after.astimezone(zone).replace(tzinfo=None), inc=True):
        if naive >= naive_before:
            return None
        start_at = _localize(naive, zone).astimezone(UTC)
        span = (start_at, start_at + duration)
        if start_at >= after and span not in replaced:
            return span
    return None
