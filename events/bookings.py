"""Writes for free bookings and the waiting list: book, cancel, join (offers are events.waiting_list's)."""

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from schedule.models import Occurrence

from durable import runner

from .models import BOOKING_HOLDS_PLACE, Booking, BookingGraph, BookingRefused, EventDetail, TicketType
from .permissions import calendar_editable_by
from .reminders import reminder_schedule
from .selectors import occurrence_get, places_taken
from .waiting_list import WAITING_LIST_OPEN, WaitingListEntry, offer_accept, waiting_list_offer_next


def occurrence_bookable(ticket_type: TicketType, original_start: datetime, now: datetime) -> Occurrence:
    if EventDetail.objects.filter(event_id=ticket_type.event_id, cancelled_at__isnull=False).exists():
        raise BookingRefused("This event is cancelled.")
    if ticket_type.occurrence_start and ticket_type.occurrence_start != original_start:
        raise BookingRefused("This ticket type is for another date.")
    if not ticket_type.on_sale(now):
        raise BookingRefused("Tickets of this type are not on sale now.")
    occurrence = occurrence_get(ticket_type.event, original_start)
    if occurrence is None or occurrence.cancelled:
        raise BookingRefused("This date is not on (any more).")
    if occurrence.start <= now:
        raise BookingRefused("This date has already started.")
    return occurrence


@transaction.atomic
def booking_create_free(*, ticket_type: TicketType, original_start: datetime, user) -> Booking:
    """Book one free place; the ticket type row is locked so concurrent bookings cannot exceed the quota."""
    now = timezone.now()
    locked = TicketType.objects.select_for_update().get(pk=ticket_type.pk)
    if not locked.is_free:
        raise BookingRefused("This ticket is paid: add it to your basket instead.")
    occurrence_bookable(locked, original_start, now)
    if Booking.objects.filter(
        ticket_type=locked, occurrence_start=original_start, user=user, state__in=BOOKING_HOLDS_PLACE
    ).exists():
        raise BookingRefused("You already have a place.")
    offered = WaitingListEntry.objects.filter(
        ticket_type=locked, occurrence_start=original_start, user=user, state="offered"
    ).first()
    # Their held place counts as taken; taking it turns the hold into the booking. An offer that
    # lapsed first (the runner's conditional move won) leaves them only the places still free.
    accepted = offered is not None and offer_accept(offered, now)
    if not accepted and places_taken(locked, original_start, now=now) >= locked.quota:
        raise BookingRefused("Sold out: join the waiting list to be offered a place that frees up.")
    booking = Booking.objects.create(
        ticket_type=locked, occurrence_start=original_start, user=user, email=user.email
    )
    reminder_schedule(booking)
    # The ticket email is the runner's `issuing` work once this commits (the sweep, if the task is lost).
    runner.advance_on_commit(booking)
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, user) -> Booking:
    """The attendee (or an organiser of the calendar) cancels; the freed place goes to the waiting list."""
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("ticket_type__event")
        .get(pk=booking.pk)
    )
    if booking.user_id != user.pk and not calendar_editable_by(booking.ticket_type.event.calendar, user):
        raise PermissionDenied("Not your booking.")
    now = timezone.now()
    # Locked like a booking is: two cancellations at once count each other's freed place and offer
    # it to the next two people, instead of both offering the first one.
    ticket_type = TicketType.objects.select_for_update().get(pk=booking.ticket_type_id)
    if not booking.move_if_open(BookingGraph.cancelled.name, now=now, fields={"cancelled_at": now}):
        raise BookingRefused(_not_cancellable(booking))
    waiting_list_offer_next(ticket_type=ticket_type, original_start=booking.occurrence_start, now=now)
    return booking


def _not_cancellable(booking: Booking) -> str:
    if booking.state == BookingGraph.cancelled.name:
        return "This booking is already cancelled."
    if booking.state == BookingGraph.checked_in.name:
        return "A ticket that has been checked in cannot be cancelled."
    return "This ticket was never issued: ask staff to issue it again before cancelling it."


@transaction.atomic
def waiting_list_join(*, ticket_type: TicketType, original_start: datetime, user) -> WaitingListEntry:
    now = timezone.now()
    locked = TicketType.objects.select_for_update().get(pk=ticket_type.pk)
    occurrence_bookable(locked, original_start, now)
    if places_taken(locked, original_start, now=now) < locked.quota:
        raise BookingRefused("There are places left: book one directly.")
    entry, _ = WaitingListEntry.objects.get_or_create(
        ticket_type=locked,
        occurrence_start=original_start,
        user=user,
        state__in=WAITING_LIST_OPEN,
        defaults={"state": "waiting"},
    )
    return entry


def waiting_list_expire_offers(now: datetime | None = None) -> int:
    """The one runner over waiting-list rows now (or at a set clock): offers mailed, lapsed ones passed
    on; how many expired. Production needs no call: the durable sweep finds the due rows."""
    return runner.run_due(WaitingListEntry, now=now)["expired"]
