"""Event reminders (the one block left here while reminders move to their own module).

Calendars, occurrences, bookings, tickets, check-in and cancellation each have a module of their own:
see calendars.py, occurrences.py, bookings.py, tickets.py, check_in.py and cancellation.py.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from .mail import mail as _mail  # the reminder block keeps its spelling until it moves
from .models import Booking
from .selectors import event_zone, occurrence_get

logger = logging.getLogger(__name__)


# --- reminders --------------------------------------------------------------------------------------


def reminders_send_due(now: datetime | None = None) -> int:
    """Email each confirmed attendee once, in the 24 hours before their occurrence starts.

    No transaction around the loop: each claim commits on its own before its email goes, so a later
    failure cannot roll back the claims of reminders already mailed (they would go out twice). A
    refused email releases its own claim for the next run.
    """
    now = now or timezone.now()
    horizon = now + timedelta(hours=getattr(settings, "EVENTS_REMINDER_HOURS", 24))
    # Moved occurrences may start later or earlier than their original start: look a week either side.
    candidates = Booking.objects.select_related("ticket_type__event__detail").filter(
        status=Booking.Status.CONFIRMED,
        reminder_sent_at__isnull=True,
        occurrence_start__gt=now - timedelta(days=7),
        occurrence_start__lte=horizon + timedelta(days=7),
    )
    sent = 0
    for booking in candidates:
        occurrence = occurrence_get(booking.ticket_type.event, booking.occurrence_start)
        if occurrence is None or occurrence.cancelled or not (now < occurrence.start <= horizon):
            continue
        # Claim the row first: a second beat run (or a second worker) finds it claimed and skips it.
        if not Booking.objects.filter(pk=booking.pk, reminder_sent_at__isnull=True).update(
            reminder_sent_at=now
        ):
            continue
        local_start = occurrence.start.astimezone(event_zone(booking.ticket_type.event))
        try:
            _mail(booking.email, "events/email/reminder.txt", {"booking": booking, "start": local_start})
        except Exception:  # SMTP refusals and outages alike: this one waits for the next run
            logger.warning("reminder for booking %s not sent; retried next run", booking.pk, exc_info=True)
            Booking.objects.filter(pk=booking.pk, reminder_sent_at=now).update(reminder_sent_at=None)
            continue
        sent += 1
    return sent
