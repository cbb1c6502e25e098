"""What a payment's settlement does, as the effects of its steps: place the order, owe the refund,
queue the shopper's emails (durable rows, sent by the one runner after commit).

The `payment_settlement` behavior (in social, which commerce never imports) decides; its driver calls
these functions by the names in SOCIAL_FLOW_ACTIONS, inside the step's transaction, so each happens
together with the step that asked for it or not at all. Each is safe to call again: the attempt's row
is locked and what was done is found on it (its order, its refund by key). None calls SumUp or sends
mail in the transaction: emails and refunds are rows the one runner sends after commit.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from commerce.models import PaymentAttempt, PaymentRefund
from commerce.orders import order_confirmation_queue, order_place
from commerce.payments import payment_unplaced, refund_owed_tell_shopper, unplaced_refund_key
from durable import runner

logger = logging.getLogger(__name__)


def settlement_order_place(attempt_id: int) -> dict:
    """Place the paid attempt's one order; or, when it cannot be placed (stock gone, a voucher used up,
    the basket changed), leave nothing of the try behind and say why, for the next step to route on."""
    attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt_id)
    if attempt.order_id:
        return {"placed": True, "order_number": attempt.order_number, "found": True}
    if PaymentRefund.objects.filter(key=unplaced_refund_key(attempt)).exists():
        return {"placed": False, "reason": "a refund is already owed for this payment"}
    try:
        with transaction.atomic():  # a savepoint: a refused placement leaves nothing behind
            order = order_place(attempt)
    except (OperationalError, InterfaceError):
        raise  # the database failed, not the basket: the step is tried again
    except Exception as exc:  # whatever stops the order, the shopper's money must not stay with us
        logger.exception("Payment attempt %s paid but the order could not be placed", attempt_id)
        return {"placed": False, "reason": str(exc) or type(exc).__name__}
    attempt.order = order
    attempt.reserved_stock = {}
    attempt.save(update_fields=["order", "reserved_stock", "updated_at"])
    return {"placed": True, "order_number": order.number}


def settlement_order_confirm(attempt_id: int) -> dict:
    """Queue the order confirmation with the step: a durable row the runner sends after commit (a
    mail server down delays it, never loses it), found rather than queued again by a retried step."""
    attempt = PaymentAttempt.objects.select_related("order__user").get(pk=attempt_id)
    email = order_confirmation_queue(attempt.order)
    return {"email": email.key if email else "queued before, or no address", "order": attempt.order_id}


def settlement_refund_owe(attempt_id: int, reason: str) -> dict:
    """Paid without an order: release the stock and the basket, record the refund owed under the
    attempt's key and flag it for staff. An attempt resting in a nothing-paid state (paid late) moves
    to `refunding` here, and the runner sends the refund after commit; a `paid` one is moved by its
    own handler, which holds its lease."""
    attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt_id)
    if attempt.order_id:
        return {"owed": False, "reason": "an order was placed for this payment"}
    refund = PaymentRefund.objects.filter(key=unplaced_refund_key(attempt)).first()
    if refund is None:
        refund = payment_unplaced(attempt, reason)
    if attempt.state in PaymentAttempt.UNPAID_STATES:
        attempt.transition("refunding", now=timezone.now())  # no lease: a nothing-paid row is never worked
        runner.advance_on_commit(attempt)
    return {"owed": True, "refund": refund.key, "amount": str(refund.amount)}


def settlement_refund_tell_shopper(attempt_id: int) -> dict:
    """Queue the shopper's email (what was paid, why no order, that it is coming back) with the step,
    as a durable row the runner sends after commit."""
    email = refund_owed_tell_shopper(attempt_id)
    return {"email": email.key if email else "no address"}
