"""Writes at the door: admit a ticket by its code, once."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from .models import Booking, BookingGraph, BookingRefused
from .permissions import calendar_editable_by


def booking_check_in(*, code: str, by_user) -> Booking:
    """Admit a ticket once: a second check-in of the same code is refused, even when two doors race."""
    code = code.strip().upper()
    booking = Booking.objects.select_related("ticket_type__event__calendar").filter(code=code).first()
    if booking is None:
        raise BookingRefused("Unknown ticket code.")
    if not calendar_editable_by(booking.ticket_type.event.calendar, by_user):
        raise PermissionDenied("You do not organise this event.")
    now = timezone.now()
    # A conditional UPDATE is the arbiter: of two simultaneous scans only one moves the row.
    fields = {"checked_in_at": now, "checked_in_by": by_user}
    if not booking.move_if_open(BookingGraph.checked_in.name, now=now, fields=fields):
        raise BookingRefused(door_refusal(booking))
    return booking


def door_refusal(booking: Booking) -> str:
    """What the volunteer at the door reads when a ticket cannot be let in (or called off)."""
    if booking.state == BookingGraph.checked_in.name:
        local = timezone.localtime(booking.checked_in_at)
        return f"Already checked in at {local:%H:%M on %d %b %Y}."
    if booking.state == BookingGraph.cancelled.name:
        return "This ticket was cancelled."
    return "This ticket was never issued: ask staff to issue it again (admin, Bookings)."
