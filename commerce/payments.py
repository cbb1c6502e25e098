"""The handlers of a payment attempt's states: ask SumUp, place the order, follow the refund.

The one runner (`durable.runner`) calls them with the row leased and no transaction open, so SumUp is
only ever called here outside a transaction or a row lock; what they write to the database is a short
transaction of its own after SumUp has answered. Each returns the next state (the runner records it,
fenced by its lease) or None for "not yet". Each is safe to run again after a worker died half-way:
stock is released from what the row still holds, an order placed is found on the row, a refund owed is
found by its key.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from oscar.core.loading import get_model
from sumup import APIError

from commerce.models import PaymentAttempt, PaymentRefund
from commerce.refunds import refund_request
from commerce.signals import behavior_wanted
from commerce.stock import stock_release
from commerce.sumup_client import from_major_units, sumup_client
from durable import runner
from durable.outgoing import OutgoingEmail, email_queue

logger = logging.getLogger(__name__)
Basket = get_model("basket", "Basket")

# Past its validity an attempt is closed this much later, so a payment SumUp accepted at the last
# second has reached us (by webhook or return) first.
EXPIRY_GRACE = timedelta(minutes=2)


def checkout_validity() -> timedelta:
    return timedelta(minutes=settings.SUMUP_CHECKOUT_VALID_MINUTES)


def payment_closes_at(attempt: PaymentAttempt) -> datetime:
    """When an unpaid checkout is closed at SumUp and its stock released."""
    valid_until = attempt.valid_until or attempt.created_at + checkout_validity()
    return valid_until + EXPIRY_GRACE


def unplaced_refund_key(attempt: PaymentAttempt) -> str:
    return unplaced_refund_key_for(attempt.pk)


def unplaced_refund_key_for(attempt_id: int) -> str:
    return f"attempt-{attempt_id}-unplaced"


# --- pending and returned: ask SumUp ---------------------------------------------------------------
def payment_check(attempt: PaymentAttempt, now: datetime) -> str | None:
    """Handler of `pending`: woken by a webhook or at the checkout's validity, ask SumUp how it stands.

    Paid → `paid`; declined or expired at SumUp → released; still open past its validity → closed at
    SumUp, then `expired`; still open before that → look again at its validity.
    """
    closes_at = payment_closes_at(attempt)
    if not attempt.sumup_checkout_id:
        # The process died between committing the attempt and SumUp's answer: the shopper never got a
        # payment page, so nothing can have been paid.
        if now < closes_at:
            attempt.due_at = closes_at
            return None
        payment_release(attempt)
        return "start_failed"
    outcome = _outcome(attempt, _checkout_read(attempt, now))
    if outcome:
        return outcome
    if now < closes_at:
        attempt.due_at = closes_at
        return None
    return _checkout_close(attempt, now, "expired")


def payment_check_returned(attempt: PaymentAttempt, now: datetime) -> str | None:
    """Handler of `returned`: the shopper came back from SumUp's page. Paid → `paid`; otherwise the
    checkout is closed at SumUp (so it cannot be paid later) and the basket given back."""
    if not attempt.sumup_checkout_id:
        payment_release(attempt)
        return "cancelled"
    return _outcome(attempt, _checkout_read(attempt, now)) or _checkout_close(attempt, now, "cancelled")


# What `_checkout_read` answers for a checkout SumUp says belongs to another merchant or basket.
NOT_OURS = "NOT_OURS"


def _checkout_read(attempt: PaymentAttempt, now: datetime) -> str:
    """SumUp's status of the checkout, recorded on the row with what was paid; SumUp failures raise.

    Only a checkout SumUp itself says is ours (our merchant code, this attempt's reference) counts;
    anything else answers NOT_OURS and is never taken as this basket's payment."""
    with sumup_client() as client:
        remote = client.checkouts.get(attempt.sumup_checkout_id)
    if remote.merchant_code != settings.SUMUP_MERCHANT_CODE or (
        remote.checkout_reference != attempt.checkout_reference
    ):
        return NOT_OURS
    fields = {"remote_status": remote.status or ""}
    if remote.status == "PAID":
        # What was charged is the successful transaction's amount, when SumUp lists it.
        charged = next((tx for tx in remote.transactions or [] if tx.id == remote.transaction_id), None)
        amount = charged.amount if charged is not None and charged.amount is not None else remote.amount
        fields |= {
            "transaction_id": remote.transaction_id or attempt.transaction_id,
            "paid_amount": from_major_units(amount),
            "paid_currency": str(remote.currency or ""),
        }
    # Only the payment's own columns: the state and its lease are the runner's to write.
    PaymentAttempt.objects.filter(pk=attempt.pk).update(**fields, updated_at=now)
    for name, value in fields.items():
        setattr(attempt, name, value)
    return fields["remote_status"]


def _outcome(attempt: PaymentAttempt, status: str) -> str | None:
    if status == "PAID":
        return "paid"
    if status == NOT_OURS:
        # Our record and SumUp's disagree on whose checkout this is: nothing is placed, refunded or
        # released on our own; the stock stays held until staff have looked.
        payment_flag(attempt.pk, f"SumUp's checkout {attempt.sumup_checkout_id} is not this payment's.")
        return "flagged"
    if status == "FAILED":
        payment_release(attempt)
        return "declined"
    if status == "EXPIRED":
        payment_release(attempt)
        return "expired"
    return None


def _checkout_close(attempt: PaymentAttempt, now: datetime, state: str) -> str:
    """Deactivate the open checkout at SumUp so it cannot be paid any more, then release its stock."""
    try:
        with sumup_client() as client:
            client.checkouts.deactivate(attempt.sumup_checkout_id)
    except APIError as exc:
        # Paid or processed in the meantime: reading it again tells which.
        logger.info("Checkout %s not deactivated: %s", attempt.sumup_checkout_id, exc)
        outcome = _outcome(attempt, _checkout_read(attempt, now))
        if outcome:
            return outcome
        raise
    payment_release(attempt)
    return state


def payment_release(attempt: PaymentAttempt) -> None:
    """Give back the stock the attempt still holds and the basket, once however often it is called."""
    with transaction.atomic():
        locked = PaymentAttempt.objects.select_for_update().get(pk=attempt.pk)
        _release_locked(locked)
        locked.save(update_fields=["reserved_stock", "updated_at"])
    attempt.reserved_stock = {}


def _release_locked(attempt: PaymentAttempt) -> None:
    if attempt.reserved_stock:
        stock_release(attempt.reserved_stock)
        attempt.reserved_stock = {}
    basket = Basket.objects.select_for_update().get(pk=attempt.basket_id)
    # The shopper may have started another attempt with the same basket since: that one keeps it.
    other_holding = (
        PaymentAttempt.objects.filter(basket_id=basket.pk, state__in=PaymentAttempt.HOLDING_STATES)
        .exclude(pk=attempt.pk)
        .exists()
    )
    if basket.status == Basket.FROZEN and not other_holding:
        basket.thaw()


# --- paid: settle it through the payment_settlement behavior --------------------------------------
SETTLEMENT_BEHAVIOR = "payment_settlement"


class SettlementPending(Exception):
    """The settlement flow neither placed the order nor owed the refund yet (a step failed and waits for
    its retry, or another worker holds it): the runner asks again under the `paid` state's policy."""


def settlement_object_key(attempt: PaymentAttempt) -> str:
    return f"payment:{attempt.pk}"


def settlement_payload(attempt: PaymentAttempt, outcome: str, why: str = "") -> dict:
    """The facts the settlement's pure steps decide on, as they stand under the attempt's lock."""
    return {
        "attempt_id": attempt.pk,
        "outcome": outcome,
        "why": why,
        "title": f"Payment {attempt.checkout_reference}",
        "reference": attempt.checkout_reference,
        "amount": str(attempt.amount),
        "currency": attempt.currency,
        "paid_amount": "" if attempt.paid_amount is None else str(attempt.paid_amount),
        "paid_currency": attempt.paid_currency,
        # The flow log links the payment's own row on the state machines page.
        "state_machine": reverse("durable_admin_row", args=[attempt._meta.label_lower, attempt.pk]),
    }


def settlement_start(attempt: PaymentAttempt, outcome: str, why: str = "") -> None:
    """Have the attempt's one settlement flow written (once, however often this is asked) and run
    here. Outside a transaction each of its steps commits on its own; inside the transaction that
    holds the attempt's row lock, it commits with that transaction."""
    behavior_wanted.send(
        sender=PaymentAttempt,
        behavior=SETTLEMENT_BEHAVIOR,
        object_key=settlement_object_key(attempt),
        event=outcome,
        payload=settlement_payload(attempt, outcome, why),
    )


def settled_state(attempt_id: int) -> str | None:
    """Where the settlement left a paid attempt: its order placed, or its refund owed; None before."""
    if PaymentAttempt.objects.filter(pk=attempt_id, order__isnull=False).exists():
        return "placed"
    if PaymentRefund.objects.filter(key=unplaced_refund_key_for(attempt_id)).exists():
        return "refunding"
    return None


def payment_place(attempt: PaymentAttempt, now: datetime) -> str:
    """Handler of `paid`: the payment_settlement behavior decides (amount and currency as expected,
    the order placed exactly once, or the refund owed); this handler starts it and answers where it left
    the payment: `placed` or `refunding`.

    The flow is started and run here with no transaction open (the runner's lease keeps any other
    handler of this attempt out), each step committing its effects, commerce's functions in
    `commerce.settlement`; SumUp is not called. A try whose worker died finds the order or the refund,
    or the same flow, which resumes from the step it had reached once that step's claim lapses.
    """
    settled = settled_state(attempt.pk)
    if settled:
        return settled  # settled by a try whose worker died before the runner recorded it
    settlement_start(PaymentAttempt.objects.get(pk=attempt.pk), "paid")
    settled = settled_state(attempt.pk)
    if settled:
        return settled
    raise SettlementPending(f"payment attempt {attempt.pk}: its settlement flow has not finished (see Flows)")


def payment_unplaced(attempt: PaymentAttempt, reason: str) -> PaymentRefund:
    """Paid, but no order can be placed: release what was held, write down the refund owed (sent by
    the `refunding` state) and the reason for staff. Called with the attempt's row locked; the shopper
    is told by the settlement's next step."""
    _release_locked(attempt)
    attempt.needs_attention = True
    attempt.note = f"Paid, but no order could be placed: {reason}."[:1000]
    attempt.save(update_fields=["reserved_stock", "needs_attention", "note", "updated_at"])
    refund = refund_request(
        attempt=attempt,
        amount=attempt.paid_amount or attempt.amount,
        key=unplaced_refund_key(attempt),
        reason=reason,
    )
    logger.warning("Payment attempt %s: %s", attempt.pk, attempt.note)
    return refund


def refund_owed_tell_shopper(attempt_id: int) -> OutgoingEmail | None:
    """Queue, in the caller's transaction, the shopper's email that their payment placed no order and
    is being refunded in full, and why: one durable row per refund, sent by the runner after commit."""
    attempt = PaymentAttempt.objects.select_related("user").get(pk=attempt_id)
    to = attempt.guest_email or (attempt.user.email if attempt.user else "")
    if not to:
        return None
    refund = PaymentRefund.objects.get(key=unplaced_refund_key(attempt))
    context = {"attempt": attempt, "refund": refund, "shop_name": settings.OSCAR_SHOP_NAME}
    subject, _, text = render_to_string("commerce/email/payment_refunding.txt", context).partition("\n")
    return email_queue(
        key=f"refund-owed:{refund.key}", to=to, user=attempt.user, subject=subject, text=text.strip() + "\n"
    )


def attempt_for_unknown_checkout(checkout_id: str) -> PaymentAttempt | None:
    """A webhook names a checkout we hold no record of: it is ours only if SumUp, asked, says so.

    Ours means our merchant code and the reference of an attempt whose checkout id was never recorded
    (SumUp made the checkout but its answer to us was lost, so the attempt rests `start_failed`).
    The webhook's body is never trusted; another merchant's or an unknown checkout is ignored. Call
    outside any transaction; SumUp's failures other than "no such checkout" raise.
    """
    try:
        with sumup_client() as client:
            remote = client.checkouts.get(checkout_id)
    except APIError as exc:
        if getattr(exc, "status", None) == 404:
            return None
        raise
    if remote.merchant_code != settings.SUMUP_MERCHANT_CODE or not remote.checkout_reference:
        return None
    claimed = PaymentAttempt.objects.filter(
        checkout_reference=remote.checkout_reference, sumup_checkout_id__isnull=True
    ).update(sumup_checkout_id=checkout_id)
    return PaymentAttempt.objects.get(sumup_checkout_id=checkout_id) if claimed else None


# --- nothing paid, then paid after all ------------------------------------------------------------
def payment_paid_late(attempt_id: int, now: datetime) -> bool:
    """News (a webhook, the shopper's return) for an attempt resting in a nothing-paid state: ask
    SumUp again, and if the checkout was paid after all, start its settlement flow, which owes the
    refund and moves the attempt to `refunding`.

    The order is not placed: the stock and the basket went back and the shopper was told no order
    was placed (they may have changed the basket or bought again since), so the cooperative never
    keeps the money and the shopper is emailed that it is coming back. Call outside any transaction;
    SumUp's failures raise (the webhook answers 503 and SumUp sends it again). True if it moved.
    """
    attempt = PaymentAttempt.objects.get(pk=attempt_id)
    if attempt.state not in PaymentAttempt.UNPAID_STATES or not attempt.sumup_checkout_id:
        return False
    if _checkout_read(attempt, now) != "PAID":
        return False
    with transaction.atomic():
        locked = PaymentAttempt.objects.select_for_update().get(pk=attempt_id)
        if locked.state not in PaymentAttempt.UNPAID_STATES:
            return False  # another delivery of the same news moved it first
        closed = locked.get_state_display().lower()
        why = f"SumUp reports it paid after the checkout had closed ({closed})"
        settlement_start(locked, "paid_late", why)
    # The flow ran in that transaction; the runner sends its refund once it committed.
    return PaymentAttempt.objects.filter(pk=attempt_id, state="refunding").exists()


# --- refunding: follow the refund ------------------------------------------------------------------
def payment_refund_follow(attempt: PaymentAttempt, now: datetime) -> str | None:
    """Handler of `refunding`: send the refund owed when it is due (the runner works it, under its own
    retry policy), then rest as `refunded`, or `flagged` if SumUp would not refund."""
    refund = PaymentRefund.objects.get(key=unplaced_refund_key(attempt))
    if refund.state == "owed":
        runner.advance(PaymentRefund, refund.pk, now=now)
        refund.refresh_from_db()
    if refund.state == "sent":
        return "refunded"  # its payment_refund flow noted it on the attempt and told the shopper
    if refund.state == "failed":
        return "flagged"  # its payment_refund flow told staff why, and the shopper
    attempt.due_at = refund.due_at  # look again when its next try is due
    return None


def payment_flag(attempt_id: int, note: str) -> None:
    """Ask staff to look at an attempt, saying why (the dashboard's "Payments needing attention")."""
    with transaction.atomic():
        attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt_id)
        attempt.needs_attention = True
        attempt.note = f"{attempt.note} {note}".strip()[:2000]
        attempt.save(update_fields=["needs_attention", "note", "updated_at"])
    logger.error("Payment attempt %s flagged for staff: %s", attempt_id, note)
