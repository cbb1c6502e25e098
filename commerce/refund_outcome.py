"""What a refund's outcome does, as the effects of the `payment_refund` behavior's steps: mark the
order refunded in its books, or flag the payment for staff, and queue the shopper's email.

The refund's runner (commerce.refunds) asks for the behavior once SumUp refunded, or once the refund
was given up, with the refund's row locked (`refund_outcome_start`): the flow (`refund:<key>`) is
written and run in that transaction, so two workers reporting the same outcome find one flow. The
behavior (in social, which commerce never imports) decides; its driver calls the functions below by
the names in SOCIAL_FLOW_ACTIONS inside the step's transaction. None calls SumUp or sends mail there:
the email is a durable row (durable.outgoing) the runner sends after commit.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from oscar.core.loading import get_class, get_model

from commerce.models import PaymentAttempt, PaymentRefund
from commerce.signals import behavior_wanted
from durable.outgoing import email_queue

logger = logging.getLogger(__name__)

Source = get_model("payment", "Source")
PaymentEventType = get_model("order", "PaymentEventType")
EventHandler = get_class("order.processing", "EventHandler")

REFUND_BEHAVIOR = "payment_refund"
SOURCE_TYPE_NAME = "SumUp"


def refund_object_key(key: str) -> str:
    return f"refund:{key}"


def refund_payload(key: str, refund: PaymentRefund | None, outcome: str, error: str = "") -> dict:
    """The facts the refund's pure steps decide on, as they stand under the refund's lock. A ticket's
    refund given up before it was ever recorded has no row: its key and outcome say enough."""
    payload = {"key": key, "outcome": outcome, "error": error[:255], "title": f"Refund {key}"}
    if refund is not None:
        attempt = refund.attempt
        payload.update(
            refund_id=refund.pk,
            attempt_id=attempt.pk,
            order_number=attempt.order_number,
            amount=str(refund.amount),
            currency=attempt.paid_currency or attempt.currency,
            reason=refund.reason,
            # A payment that placed no order: its settlement's `tell` already said the money is
            # coming back in full, so a refund that went through needs no second email.
            told_when_owed=attempt.order_id is None,
            # The flow log links the refund's own row on the state machines page.
            state_machine=reverse("durable_admin_row", args=[refund._meta.label_lower, refund.pk]),
        )
    return payload


def refund_outcome_start(key: str, outcome: str, error: str = "") -> None:
    """The refund under `key` was `refunded` or has `failed` for good: have its one flow written and
    run (once, however often this is asked). Call outside a transaction, or inside the one recording
    the outcome; the flow's steps commit with it, their emails go after."""
    with transaction.atomic():
        refund = (
            PaymentRefund.objects.select_for_update(of=("self",))
            .select_related("attempt")
            .filter(key=key)
            .first()
        )
        behavior_wanted.send(
            sender=PaymentRefund,
            behavior=REFUND_BEHAVIOR,
            object_key=refund_object_key(key),
            event=outcome,
            payload=refund_payload(key, refund, outcome, error),
        )


def refund_outcome_mark(refund_key: str) -> dict:
    """SumUp refunded: write it in the order's books (Oscar's source and a payment event), or, for a
    payment that placed no order, note it on the payment for staff."""
    refund = PaymentRefund.objects.select_for_update().get(key=refund_key)
    attempt = PaymentAttempt.objects.select_for_update().get(pk=refund.attempt_id)
    if not attempt.order_id:
        attempt.note = f"{attempt.note} Refunded {refund.amount} through SumUp.".strip()[:2000]
        attempt.save(update_fields=["note", "updated_at"])
        return {"order": None, "amount": str(refund.amount)}
    source = Source.objects.select_for_update().get(
        order_id=attempt.order_id, source_type__name=SOURCE_TYPE_NAME
    )
    source.refund(refund.amount, reference=refund.reason or attempt.transaction_id)
    refunded_type, _ = PaymentEventType.objects.get_or_create(name="Refunded")
    EventHandler().create_payment_event(
        attempt.order, refunded_type, refund.amount, reference=attempt.transaction_id
    )
    return {"order": attempt.order_number, "amount": str(refund.amount)}


def refund_outcome_flag(refund_key: str, error: str) -> dict:
    """Given up: the refund keeps why, and its payment is flagged so staff refund by hand (the
    dashboard's "Payments needing attention")."""
    refund = PaymentRefund.objects.select_for_update().filter(key=refund_key).first()
    if refund is None:
        return {"flagged": False, "reason": "no refund was recorded under this key"}
    refund.error = error[:255]
    refund.save(update_fields=["error"])
    attempt = PaymentAttempt.objects.select_for_update().get(pk=refund.attempt_id)
    attempt.needs_attention = True
    attempt.note = f"{attempt.note} The automatic refund of {refund.amount} failed ({error}).".strip()[:2000]
    attempt.save(update_fields=["needs_attention", "note", "updated_at"])
    logger.error("Refund %s given up, staff must refund by hand: %s", refund.key, error)
    return {"flagged": True, "attempt": attempt.pk}


def refund_outcome_tell(refund_key: str, outcome: str) -> dict:
    """Queue the shopper's one email about the outcome (refunded, or that staff will refund by hand)
    with the step: a durable row the runner sends after commit, retried while the mail server is
    down, one per refund however often the step runs."""
    refund = PaymentRefund.objects.select_related("attempt__user").get(key=refund_key)
    attempt = refund.attempt
    to = attempt.guest_email or (attempt.user.email if attempt.user else "")
    if not to:
        return {"email": "no address"}
    context = {
        "attempt": attempt,
        "refund": refund,
        "refunded": outcome == "refunded",
        "currency": attempt.paid_currency or attempt.currency,
        "shop_name": settings.OSCAR_SHOP_NAME,
    }
    subject, _, text = render_to_string("commerce/email/refund_outcome.txt", context).partition("\n")
    email = email_queue(
        key=f"refund-outcome:{refund.key}",
        to=to,
        user=attempt.user,
        subject=subject,
        text=text.strip() + "\n",
    )
    return {"email": email.key}
