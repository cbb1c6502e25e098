"""Event reminders: one durable row per booking, mailed by the one runner in the hours before its occurrence.

Each reminder is its own row with its own lease, mailed outside any transaction and recorded right
after, so one refused email cannot undo (and so resend) the reminders mailed before it: it is
retried later under the graph's policy while the others stay sent.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import models
from django.template.loader import render_to_string

from durable.graph import State, StateGraph
from durable.models import StatefulModel, state_field
from durable.retry import RetryPolicy


class ReminderGraph(StateGraph):
    scheduled = State(
        initial=True,
        handler="reminder_send",
        timeout=120,  # one email
        # A mail server out for up to a few hours: 5, 10, 20, 40, 60, 60 minutes apart.
        retry=RetryPolicy(max_attempts=7, base_seconds=300, cap_seconds=3600),
        transitions=["sent", "skipped", "failed"],
        label="Scheduled",
    )
    sent = State(terminal=True, label="Sent")
    # The booking or the occurrence was cancelled, or the occurrence began before it could go.
    skipped = State(terminal=True, label="Not needed")
    failed = State(terminal=True, failure=True, label="Failed")


class BookingReminder(StatefulModel):
    """The reminder of one booking; `due_at` is when it is next looked at (None: as soon as possible)."""

    state_graph = ReminderGraph

    booking = models.OneToOneField("events.Booking", on_delete=models.CASCADE, related_name="reminder")
    state = state_field(ReminderGraph)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "events"

    def __str__(self) -> str:
        return f"reminder of booking {self.booking_id} ({self.state})"

    def reminder_send(self, now: datetime) -> str | None:
        """Handler of `scheduled`: wait for the window, then mail once; `skipped` when no longer wanted."""
        # Imported here: events.models loads this module, and the selectors load events.models.
        from events.models import BOOKING_OPEN
        from events.selectors import event_zone, occurrence_get

        booking = self.booking
        event = booking.ticket_type.event
        if booking.state not in BOOKING_OPEN:  # cancelled, already let in, or never issued
            return "skipped"
        # Looked up now, not when booked: the occurrence may have moved since.
        occurrence = occurrence_get(event, booking.occurrence_start)
        if occurrence is None or occurrence.cancelled or occurrence.start <= now:
            return "skipped"
        send_from = occurrence.start - timedelta(hours=settings.EVENTS_REMINDER_HOURS)
        if now < send_from:
            self.due_at = send_from
            return None
        local_start = occurrence.start.astimezone(event_zone(event))
        _reminder_message(booking, local_start).send()
        self.sent_at = now
        self.save(update_fields=["sent_at"])
        return "sent"


def _reminder_message(booking, start: datetime) -> EmailMessage:
    body = render_to_string(
        "events/email/reminder.txt",
        {"booking": booking, "start": start, "SITE_URL": settings.SITE_URL, "SITE_NAME": settings.SITE_NAME},
    )
    subject, _, text = body.partition("\n")
    return EmailMessage(subject.strip(), text.strip() + "\n", to=[booking.email])


def reminder_schedule(booking) -> BookingReminder:
    """A new booking's reminder; the runner works out when it is due (the occurrence may move)."""
    reminder, _ = BookingReminder.objects.get_or_create(booking=booking)
    return reminder


def reminders_reschedule(event, original_start: datetime) -> int:
    """An occurrence moved: its scheduled reminders are looked at again, to fall due at the new time."""
    return BookingReminder.objects.filter(
        state=ReminderGraph.scheduled.name,
        booking__ticket_type__event=event,
        booking__occurrence_start=original_start,
    ).update(due_at=None)
