"""Refunds through SumUp: written down first, sent by the one runner outside any transaction, recorded
after; once per key.

A PaymentRefund row is the intent. The runner leases it, so of two senders only one calls SumUp; its
key goes to SumUp as the Idempotency-Key, so a resend after a crash between SumUp's answer and our
record refunds once. SumUp failures are retried under the graph's policy; giving up starts the refund's flow,
which flags the attempt for staff.
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from sumup import APIError

from commerce.models import PaymentAttempt, PaymentRefund
from commerce.refund_outcome import SOURCE_TYPE_NAME, Source, refund_outcome_start
from commerce.sumup_client import sumup_client, to_major_units
from durable import runner
from durable.models import TransitionRefused

logger = logging.getLogger(__name__)

# SumUp answers these when asking again later may help; any other 4xx refuses the refund for good.
TRANSIENT_CLIENT_ERRORS = (408, 409, 425, 429)


class RefundNotSent(Exception):
    """SumUp did not confirm the refund (down, timed out); the refund stays owed and is retried."""


class RefundRefused(Exception):
    """SumUp refused the refund for good (not refundable, unknown transaction), or we gave up."""


def refund_request(*, attempt: PaymentAttempt, amount: Decimal, key: str, reason: str = "") -> PaymentRefund:
    """Record a refund owed (once per key); the runner sends it once this transaction commits."""
    refund, _ = PaymentRefund.objects.get_or_create(
        key=key, defaults={"attempt": attempt, "amount": amount, "reason": reason[:255]}
    )
    return refund


def refund_send(refund: PaymentRefund, now: datetime) -> str:
    """Handler of `owed`: ask SumUp to refund under the row's key, then record it; `sent` or `failed`.

    Runs outside any transaction. A failure that asking again may cure raises RefundNotSent, and the
    runner tries again after the policy's delay (then fails the row, telling staff).
    """
    transaction_id = PaymentAttempt.objects.values_list("transaction_id", flat=True).get(pk=refund.attempt_id)
    try:
        with sumup_client() as client:
            answer = client.transactions.refund(
                settings.SUMUP_MERCHANT_CODE,
                transaction_id,
                amount=to_major_units(refund.amount),
                headers={"Idempotency-Key": refund.key},
            )
    except Exception as exc:  # the SDK raises APIError, timeouts and connection errors alike
        status = getattr(exc, "status", None) if isinstance(exc, APIError) else None
        error = f"{type(exc).__name__}: {exc}"[:255]
        if status is not None and 400 <= status < 500 and status not in TRANSIENT_CLIENT_ERRORS:
            refund_outcome_start(refund.key, "failed", error)  # staff flagged, the shopper told
            return "failed"
        raise RefundNotSent(error) from exc
    answer_id = answer.get("id") if isinstance(answer, dict) else getattr(answer, "id", "")
    with transaction.atomic():  # SumUp's answer and what the refund's outcome does commit together
        _refund_recorded(refund.pk, str(answer_id or "")[:64], now)
        refund_outcome_start(refund.key, "refunded")
    logger.info("Refund %s of %s sent through SumUp", refund.key, refund.amount)
    return "sent"


def _refund_recorded(refund_id: int, sumup_refund_id: str, now: datetime) -> None:
    """SumUp refunded: note it on the row, once even if the runner asks again (the order's books are
    the payment_refund behavior's `mark` step)."""
    refund = PaymentRefund.objects.select_for_update().get(pk=refund_id)
    if refund.sent_at is not None:
        return  # recorded by a try whose worker died before the runner moved the row
    refund.sent_at = now
    refund.sumup_refund_id = sumup_refund_id
    refund.save(update_fields=["sent_at", "sumup_refund_id"])


def refund_give_up(refund_id: int, error: str, *, tell_staff: bool = True) -> None:
    """Stop sending a refund that is still owed (its owner gave up, or staff were told it failed); unless
    staff are at the screen already, its payment_refund flow flags it and tells the shopper."""
    refund = PaymentRefund.objects.get(pk=refund_id)
    if refund.state != "owed" or (refund.locked_until and refund.locked_until > timezone.now()):
        return  # sent, failed already, or a sender holds it now and will record what SumUp said
    try:
        refund.transition("failed", error=error[:2000])
        PaymentRefund.objects.filter(pk=refund.pk).update(error=error[:255])
    except TransitionRefused:
        return
    if tell_staff:
        refund_outcome_start(refund.key, "failed", error)


def refund_send_now(refund: PaymentRefund) -> PaymentRefund:
    """Send an owed refund here and now, its retry delay notwithstanding (its owner is asking again).

    Call outside any transaction. Returns the refund as it rests: `sent`, or still `owed` when another
    sender holds it. Raises RefundNotSent (it stays owed; the runner retries) or RefundRefused.
    """
    if refund.state == "owed":
        runner.wake(PaymentRefund, refund.pk)
        runner.advance(PaymentRefund, refund.pk)
        refund.refresh_from_db()
    if refund.state == "failed":
        raise RefundRefused(refund.error or refund.last_error or "the refund was given up")
    if refund.state == "owed" and not (refund.locked_until and refund.locked_until > timezone.now()):
        raise RefundNotSent(refund.last_error or "SumUp did not confirm the refund")
    return refund


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
            in_flight = PaymentRefund.objects.filter(attempt=attempt, state="owed").aggregate(
                total=Sum("amount")
            )["total"] or Decimal("0")
            refundable = source.amount_debited - source.amount_refunded - in_flight
            if amount <= 0 or amount > refundable:
                raise ValueError(f"Refund must be between 0.01 and {refundable}.")
            refund = refund_request(attempt=attempt, amount=amount, key=key, reason=reference)
    return refund_send_now(refund)
