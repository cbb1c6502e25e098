"""Refunds through SumUp: written down first, sent outside any transaction, recorded after; once per key.

A PaymentRefund row is the intent. Sending claims it (pending → sending) with a conditional UPDATE,
so of two workers or two webhook deliveries only one calls SumUp; the row's key goes to SumUp as
the Idempotency-Key, so a resend after a crash between SumUp's answer and our record refunds once.
Failures leave the row pending for the task's retries; giving up flags the attempt for staff.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Sum
from django.dispatch import Signal
from django.utils import timezone
from oscar.core.loading import get_class, get_model
from sumup import APIError

from commerce.models import PaymentAttempt, PaymentRefund
from commerce.sumup_client import sumup_client, to_major_units

logger = logging.getLogger(__name__)

# A refund written down and committed, to be sent off the request: refund_id. The services send it;
# commerce's receiver queues the task, so no service imports the tasks.
refund_owed = Signal()

Source = get_model("payment", "Source")
PaymentEventType = get_model("order", "PaymentEventType")
EventHandler = get_class("order.processing", "EventHandler")

SOURCE_TYPE_NAME = "SumUp"
# A refund claimed this long ago without an answer recorded had its worker die: send it again.
REFUND_STALE_AFTER = timedelta(minutes=15)
IN_FLIGHT = (PaymentRefund.State.PENDING, PaymentRefund.State.SENDING)


class RefundNotSent(Exception):
    """SumUp did not confirm the refund (down, timed out); the refund stays owed and is retried."""


class RefundRefused(Exception):
    """SumUp refused the refund for good (not refundable, unknown transaction), or we gave up."""


def refund_request(*, attempt: PaymentAttempt, amount: Decimal, key: str, reason: str = "") -> PaymentRefund:
    """Record a refund owed (once per key); send it with refund_send once this transaction commits."""
    refund, _ = PaymentRefund.objects.get_or_create(
        key=key, defaults={"attempt": attempt, "amount": amount, "reason": reason[:255]}
    )
    return refund


def refund_send(refund_id: int) -> PaymentRefund:
    """Send a recorded refund to SumUp unless it is already sent or being sent elsewhere.

    Call it outside any transaction. Raises RefundNotSent (retry later) or RefundRefused (do not).
    """
    claimed = PaymentRefund.objects.filter(pk=refund_id, state=PaymentRefund.State.PENDING).update(
        state=PaymentRefund.State.SENDING, claimed_at=timezone.now(), tries=F("tries") + 1
    )
    refund = PaymentRefund.objects.select_related("attempt").get(pk=refund_id)
    if not claimed:
        return refund  # sent, given up, or another worker is sending it now
    try:
        with sumup_client() as client:
            answer = client.transactions.refund(
                settings.SUMUP_MERCHANT_CODE,
                refund.attempt.transaction_id,
                amount=to_major_units(refund.amount),
                headers={"Idempotency-Key": refund.key},
            )
    except Exception as exc:  # the SDK raises APIError, timeouts and connection errors alike
        status = getattr(exc, "status", None) if isinstance(exc, APIError) else None
        error = f"{type(exc).__name__}: {exc}"[:255]
        PaymentRefund.objects.filter(pk=refund_id, state=PaymentRefund.State.SENDING).update(
            state=PaymentRefund.State.PENDING, last_error=error
        )
        if status is not None and 400 <= status < 500 and status not in (408, 409, 425, 429):
            refund_give_up(refund_id, error)
            raise RefundRefused(error) from exc
        raise RefundNotSent(error) from exc
    with transaction.atomic():
        refund = PaymentRefund.objects.select_for_update().select_related("attempt").get(pk=refund_id)
        if refund.state != PaymentRefund.State.SENT:
            refund.state = PaymentRefund.State.SENT
            refund.sent_at = timezone.now()
            answer_id = answer.get("id") if isinstance(answer, dict) else getattr(answer, "id", "")
            refund.sumup_refund_id = str(answer_id or "")[:64]
            refund.save(update_fields=["state", "sent_at", "sumup_refund_id"])
            _refund_recorded(refund)
    logger.info("Refund %s of %s sent through SumUp", refund.key, refund.amount)
    return refund


def _refund_recorded(refund: PaymentRefund) -> None:
    attempt = PaymentAttempt.objects.select_for_update().get(pk=refund.attempt_id)
    if attempt.order_id:
        source = Source.objects.select_for_update().get(
            order_id=attempt.order_id, source_type__name=SOURCE_TYPE_NAME
        )
        source.refund(refund.amount, reference=refund.reason or attempt.transaction_id)
        refunded_type, _ = PaymentEventType.objects.get_or_create(name="Refunded")
        EventHandler().create_payment_event(
            attempt.order, refunded_type, refund.amount, reference=attempt.transaction_id
        )
    elif attempt.state == PaymentAttempt.State.REFUNDING:
        attempt.state = PaymentAttempt.State.REFUNDED
        attempt.note = f"{attempt.note} Refunded in full through SumUp.".strip()
        attempt.save(update_fields=["state", "note", "updated_at"])


def refund_give_up(refund_id: int, error: str) -> None:
    """Stop sending: the refund and its attempt are flagged so staff refund by hand."""
    with transaction.atomic():
        refund = PaymentRefund.objects.select_for_update().get(pk=refund_id)
        if refund.state == PaymentRefund.State.SENT:
            return
        refund.state = PaymentRefund.State.FAILED
        refund.last_error = error[:255]
        refund.save(update_fields=["state", "last_error"])
        attempt = PaymentAttempt.objects.select_for_update().get(pk=refund.attempt_id)
        attempt.needs_attention = True
        if attempt.state == PaymentAttempt.State.REFUNDING:
            attempt.state = PaymentAttempt.State.FLAGGED
        attempt.note = f"{attempt.note} The automatic refund of {refund.amount} failed ({error}).".strip()
        attempt.save(update_fields=["state", "needs_attention", "note", "updated_at"])
    logger.error("Refund %s given up, staff must refund by hand: %s", refund.key, error)


def refunds_owed(now: datetime | None = None) -> list[int]:
    """Refunds to send again: pending ones whose task was lost, and claims whose worker died."""
    cutoff = (now or timezone.now()) - REFUND_STALE_AFTER
    PaymentRefund.objects.filter(state=PaymentRefund.State.SENDING, claimed_at__lt=cutoff).update(
        state=PaymentRefund.State.PENDING
    )
    return list(
        PaymentRefund.objects.filter(state=PaymentRefund.State.PENDING)
        .filter(Q(claimed_at__lt=cutoff) | Q(claimed_at__isnull=True, created_at__lt=cutoff))
        .values_list("pk", flat=True)
    )


def order_refund(order, amount: Decimal, *, key: str, reference: str = "") -> PaymentRefund:
    """Refund part or all of a SumUp-paid order, once per `key`; call outside any transaction.

    Raises ValueError for an amount the order cannot refund, RefundNotSent or RefundRefused when
    SumUp did not refund. Calling again with the same key sends what is still owed, or nothing.
    """
    amount = Decimal(amount).quantize(Decimal("0.01"))
    with transaction.atomic():
        source = Source.objects.select_for_update().get(order=order, source_type__name=SOURCE_TYPE_NAME)
        attempt = PaymentAttempt.objects.get(order=order)
        refund = PaymentRefund.objects.filter(key=key).first()
        if refund is None:
            in_flight = PaymentRefund.objects.filter(attempt=attempt, state__in=IN_FLIGHT).aggregate(
                total=Sum("amount")
            )["total"] or Decimal("0")
            refundable = source.amount_debited - source.amount_refunded - in_flight
            if amount <= 0 or amount > refundable:
                raise ValueError(f"Refund must be between 0.01 and {refundable}.")
            refund = refund_request(attempt=attempt, amount=amount, key=key, reason=reference)
    if refund.state == PaymentRefund.State.FAILED:
        raise RefundRefused(refund.last_error or "the refund was given up")
    return refund_send(refund.pk)
