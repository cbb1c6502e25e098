"""Writes for free bookings and the waiting list: book a place, cancel it, offer freed places in turn."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from schedule.models import Occurrence

from .mail import mail_on_commit
from .models import Booking, BookingRefused, EventDetail, TicketType, WaitingListEntry
from .permissions import calendar_editable_by
from .reminders import reminder_schedule
from .selectors import occurrence_get, places_taken
from .tickets import booking_send_ticket


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
        ticket_type=locked, occurrence_start=original_start, user=user, status=Booking.Status.CONFIRMED
    ).exists():
        raise BookingRefused("You already have a place.")
    offered = WaitingListEntry.objects.filter(
        ticket_type=locked,
        occurrence_start=original_start,
        user=user,
        status=WaitingListEntry.Status.OFFERED,
        offer_expires_at__gt=now,
    ).first()
    if offered:
        # Their held place counts as taken; taking it turns the hold into the booking.
        offered.status = WaitingListEntry.Status.ACCEPTED
        offered.save(update_fields=["status"])
    elif places_taken(locked, original_start, now=now) >= locked.quota:
        raise BookingRefused("Sold out: join the waiting list to be offered a place that frees up.")
    booking = Booking.objects.create(
        ticket_type=locked, occurrence_start=original_start, user=user, email=user.email
    )
    reminder_schedule(booking)
    transaction.on_commit(lambda: booking_send_ticket(booking))
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
    if booking.status == Booking.Status.CANCELLED:
        raise BookingRefused("This booking is already cancelled.")
    if booking.checked_in_at:
        raise BookingRefused("A ticket that has been checked in cannot be cancelled.")
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    waiting_list_offer_next(ticket_type=booking.ticket_type, original_start=booking.occurrence_start)
    return booking


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
        status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED],
        defaults={"status": WaitingListEntry.Status.WAITING},
    )
    return entry


def waiting_list_offer_next(*, ticket_type: TicketType, original_start: datetime) -> list[WaitingListEntry]:
    """Offer each free place to the longest waiting person, for EVENTS_WAITING_OFFER_HOURS."""
    now = timezone.now()
    free = ticket_type.quota - places_taken(ticket_type, original_start, now=now)
    if free <= 0:
        return []
    entries = list(
        WaitingListEntry.objects.select_for_update(of=("self",))
        .filter(
            ticket_type=ticket_type, occurrence_start=original_start, status=WaitingListEntry.Status.WAITING
        )
        .select_related("user")[:free]
    )
    hours = getattr(settings, "EVENTS_WAITING_OFFER_HOURS", 24)
    for entry in entries:
        entry.status = WaitingListEntry.Status.OFFERED
        entry.offer_expires_at = now + timedelta(hours=hours)
        entry.save(update_fields=["status", "offer_expires_at"])
        mail_on_commit(
            entry.user.email, "events/email/place_offered.txt", {"entry": entry, "event": ticket_type.event}
        )
    return entries


@transaction.atomic
def waiting_list_expire_offers(now: datetime | None = None) -> int:
    """Expire unanswered offers and pass their places on to the next in line."""
    now = now or timezone.now()
    stale = list(
        WaitingListEntry.objects.select_for_update(of=("self",))
        .filter(status=WaitingListEntry.Status.OFFERED, offer_expires_at__lte=now)
        .select_related("ticket_type")
    )
    for entry in stale:
        entry.status = WaitingListEntry.Status.EXPIRED
        entry.save(update_fields=["status"])
    for ticket_type, original_start in {(e.ticket_type, e.occurrence_start) for e in stale}:
        waiting_list_offer_next(ticket_type=ticket_type, original_start=original_start)
    return len(stale)
