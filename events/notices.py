"""Cancellation notices: one durable row per holder told that an event or one of its dates is called
off, mailed by the one runner once the cancellation commits.

Each notice has its own row and lease, mailed outside any transaction and recorded right after: one
refused address or a mail server down part-way neither stops the notices after it nor resends those
before it, and a notice that could not go is retried under the graph's policy (on_commit callbacks
would have lost it, and a raising one every notice queued behind it).
"""

from __future__ import annotations

from datetime import datetime

from django.db import models

from durable.graph import State, StateGraph
from durable.models import StatefulModel, state_field
from durable.retry import RetryPolicy
from durable.runner import advance_on_commit

from .mail import mail

EVENT_TEMPLATE = "events/email/event_cancelled.txt"
DATE_TEMPLATE = "events/email/occurrence_cancelled.txt"


class NoticeGraph(StateGraph):
    queued = State(
        initial=True,
        handler="notice_send",
        timeout=120,  # one email
        # A mail server out for up to a few hours: 5, 10, 20, 40, 60, 60 minutes apart.
        retry=RetryPolicy(max_attempts=7, base_seconds=300, cap_seconds=3600),
        transitions=["sent", "skipped", "failed"],
        label="Queued",
    )
    sent = State(terminal=True, label="Sent")
    # Nobody to tell any more: the holder's account (and with it the bookings' address) was deleted.
    skipped = State(terminal=True, label="Not needed")
    failed = State(terminal=True, failure=True, label="Failed")


class CancellationNotice(StatefulModel):
    """One holder's email about a cancellation: their tickets for the event, or one ticket for a date."""

    state_graph = NoticeGraph

    # Whose notice this is (the event and the holder's first ticket, or the one booking of a date):
    # the step that queues it, run again, finds it rather than writing a second.
    key = models.CharField(max_length=100, unique=True)
    event = models.ForeignKey("schedule.Event", on_delete=models.CASCADE, related_name="+")
    # The address is read from the bookings when the notice goes, not copied here: an account deleted
    # meanwhile takes it from its bookings (accounts.integrations), and so from its notice too.
    booking_ids = models.JSONField(default=list)
    whole_event = models.BooleanField(default=True)
    state = state_field(NoticeGraph)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "events"

    def __str__(self) -> str:
        return f"cancellation notice {self.key} ({self.state})"

    def notice_send(self, now: datetime) -> str | None:
        """Handler of `queued`: mail the holder once."""
        from events.models import Booking

        held = list(
            Booking.objects.filter(pk__in=self.booking_ids).select_related("ticket_type").order_by("pk")
        )
        email = held[0].email if held else ""
        if not email:
            return NoticeGraph.skipped.name
        if self.whole_event:
            context = {"bookings": held, "event": self.event, "paid": any(b.refund_owed for b in held)}
            mail(email, EVENT_TEMPLATE, context)
        else:
            mail(email, DATE_TEMPLATE, {"booking": held[0], "event": self.event})
        self.sent_at = now
        self.save(update_fields=["sent_at"])
        return NoticeGraph.sent.name


def notice_queue(*, event_id: int, booking_ids: list[int], whole_event: bool) -> None:
    """Write the notice of one holder's tickets in the caller's transaction; the runner mails it once
    that commits."""
    key = f"event:{event_id}:{min(booking_ids)}" if whole_event else f"date:{booking_ids[0]}"
    notice, created = CancellationNotice.objects.get_or_create(
        key=key,
        defaults={"event_id": event_id, "booking_ids": booking_ids, "whole_event": whole_event},
    )
    if created:
        advance_on_commit(notice)
