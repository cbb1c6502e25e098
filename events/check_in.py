"""Writes at the door: admit a ticket by its code, once."""

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from .models import Booking, BookingRefused
from .permissions import calendar_editable_by


def booking_check_in(*, code: str, by_user) -> Booking:
    """Admit a ticket once: a second check-in of the same code is refused, even when two doors race."""
    code = code.strip().upper()
    booking = Booking.objects.select_related("ticket_type__event__calendar").filter(code=code).first()
    if booking is None:
        raise BookingRefused("Unknown ticket code.")
    if not calendar_editable_by(booking.ticket_type.event.calendar, by_user):
        raise PermissionDenied("You do not organise this event.")
    if booking.status != Booking.Status.CONFIRMED:
        raise BookingRefused("This ticket was cancelled.")
    # A conditional UPDATE is the arbiter: of two simultaneous scans only one changes the row.
    admitted = Booking.objects.filter(pk=booking.pk, checked_in_at__isnull=True).update(
        checked_in_at=timezone.now(), checked_in_by=by_user
    )
    booking.refresh_from_db()
    if not admitted:
        local = timezone.localtime(booking.checked_in_at)
        raise BookingRefused(f"Already checked in at {local:%H:%M on %d %b %Y}.")
    return booking
