"""Refunds of cancelled paid tickets: one durable row per booking owed money, refunded by the one runner.

The cancellation writes the row in its own transaction, so a refund whose task is lost (broker down
at commit) is still found by the durable sweep. The handler calls SumUp outside any transaction
through `commerce.refunds.order_refund`, which records the refund under the ticket's key before the
call and sends that key as SumUp's Idempotency-Key: a retry, a duplicate task or a worker killed
mid-call asks again with the same key and never refunds twice. What the outcome does to the booking
(its `refunded_at` or `refund_failed_at`, the holder's email) is the payment_refund behavior's, in the
flow log (events/refund_outcome.py); those columns stay what pages and emails read.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.utils import timezone

from durable.graph import State, StateGraph
from durable.models import StatefulModel, state_field
from durable.retry import RetryPolicy

from .refund_outcome import ticket_refund_key, ticket_refund_outcome_start

logger = logging.getLogger(__name__)


class TicketRefundGraph(StateGraph):
    owed = State(
        initial=True,
        handler="refund_send",
        timeout=120,  # one SumUp call (SUMUP_TIMEOUT, 15 s) and its bookkeeping, with room to spare
        # SumUp trouble for about an hour: 1, 2, 4, 8, 16, 32 minutes apart, then staff refund by hand.
        retry=RetryPolicy(max_attempts=7, base_seconds=60, factor=2, cap_seconds=3600),
        transitions=["refunded", "not_owed", "failed"],
        label="Owed",
    )
    refunded = State(terminal=True, label="Refunded")
    not_owed = State(terminal=True, label="Nothing to refund")
    # Gave up (SumUp refused, or kept failing): the booking is flagged for staff on the event's page.
    failed = State(terminal=True, failure=True, label="Failed")


class TicketRefund(StatefulModel):
    """The refund one cancelled paid booking is owed; the amount is the booking's `refund_owed`."""

    state_graph = TicketRefundGraph

    booking = models.OneToOneField("events.Booking", on_delete=models.CASCADE, related_name="refund")
    state = state_field(TicketRefundGraph)

    class Meta:
        app_label = "events"

    def __str__(self) -> str:
        return f"refund of booking {self.booking_id} ({self.state})"

    def state_log_keys(self) -> list[str]:
        """Its booking's: the cancellation that owed it is the flow of that date, or of the event."""
        return self.booking.state_log_keys()

    def state_failed(self, error: str, now: datetime) -> None:
        """The runner gave up on its own (workers kept dying on the row): staff must see the booking."""
        booking_refund_failed(self.booking_id, error)

    def refund_send(self, now: datetime) -> str | None:
        """Handler of `owed`: refund through SumUp once; give up (flagging the booking) when retrying cannot
        help or the policy's last try failed too."""
        from commerce.refunds import RefundRefused

        try:
            amount = booking_refund(self.booking_id)
        except (ValueError, ObjectDoesNotExist, RefundRefused) as exc:
            # Nothing left to refund, no SumUp payment behind it, or SumUp refuses: retrying cannot help.
            return _give_up(self.booking_id, exc)
        except Exception as exc:  # the SDK raises APIError, timeouts and connection errors alike
            if self.state_node.retry.exhausted(self.state_attempts):
                return _give_up(self.booking_id, exc)
            raise  # the runner tries again after the policy's delay
        if amount is not None:
            return "refunded"
        booking = self.booking
        if booking.refunded_at is not None:
            return "refunded"
        if not booking.refund_owed or booking.refund_owed <= 0:
            return "not_owed"
        return None  # another worker is sending it under the same key: look again later


def refund_owed_record(bookings) -> list[TicketRefund]:
    """Inside the cancellation's transaction: a row for each booking owed money (once per booking)."""
    owed = [booking for booking in bookings if booking.refund_owed]
    TicketRefund.objects.bulk_create(
        [TicketRefund(booking=booking, state_changed_at=timezone.now()) for booking in owed],
        ignore_conflicts=True,
    )
    return list(TicketRefund.objects.filter(booking__in=owed, state=TicketRefundGraph.owed.name))


def booking_refund(booking_id: int) -> Decimal | None:
    """Refund a cancelled paid ticket's seat through SumUp, once; returns the amount, None if skipped.

    No transaction or lock is held while SumUp answers: the refund is recorded under a key of its
    own (the ticket's code) first, so a duplicated or retried call sends it at most once, and the
    booking is marked refunded by the refund's payment_refund flow, once SumUp has confirmed. SumUp
    failures raise.
    """
    from commerce.refunds import order_refund

    from .models import Booking

    booking = Booking.objects.select_related("order_line__order").get(pk=booking_id)
    amount = booking.refund_owed
    if booking.refunded_at is not None or not amount or amount <= 0:
        return None
    key, reference = ticket_refund_key(booking.code), f"ticket {booking.code}"
    refund = order_refund(booking.order_line.order, amount, key=key, reference=reference)
    if refund.state != "sent":
        return None  # another worker is sending it and will report the outcome
    # SumUp refunded: the refund's payment_refund flow marked the booking and told its holder.
    return refund.amount


def booking_refund_failed(booking_id: int, error: str) -> None:
    """The automatic refund gave up: its recorded refund is given up too, so no sweep sends it behind
    staff's back, and its payment_refund flow flags the booking for staff and tells the holder. A
    refund still in flight at SumUp is left to report its own outcome."""
    from commerce.models import PaymentRefund
    from commerce.refunds import refund_give_up

    from .models import Booking

    code = Booking.objects.values_list("code", flat=True).get(pk=booking_id)
    refund = PaymentRefund.objects.filter(key=ticket_refund_key(code)).first()
    if refund is not None:
        refund_give_up(refund.pk, error, tell_staff=False)
        refund.refresh_from_db()
    if refund is None or refund.state == "failed":
        ticket_refund_outcome_start(booking_id, "failed", error)


def _give_up(booking_id: int, exc: Exception) -> str:
    logger.error("booking %s: automatic refund failed, staff must refund by hand: %s", booking_id, exc)
    booking_refund_failed(booking_id, f"{type(exc).__name__}: {exc}")
    return TicketRefundGraph.failed.name
