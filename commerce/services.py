"""Checkout writes: check and reserve, start a SumUp checkout, settle it into exactly one order or a refund.

The database is the truth, and SumUp is called only outside a transaction: the attempt (and the
stock it reserves) is committed before the checkout is created at SumUp, and its result recorded
after. A PaymentAttempt row is locked (`select_for_update`) while it is settled, so the shopper's
return and SumUp's webhook, arriving together, place one order; a partial unique constraint backs
that up. Everything that could stop the order (stock, line rules such as ticket quotas, vouchers)
is checked before the shopper goes to SumUp and again at placement; money paid that still cannot
become an order is refunded automatically (commerce.refunds) and the attempt flagged for staff.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from sumup import APIError

from commerce.models import PaymentAttempt
from commerce.orders import basket_refusals, order_confirmation_send, order_place
from commerce.refunds import refund_owed, refund_request
from commerce.stock import (
    CheckoutRefused,
    SoldOut,  # noqa: F401 - callers catch services.SoldOut, as before
    basket_lock,
    stock_release,
    stock_reserve,
)
from commerce.sumup_client import from_major_units, sumup_client, to_major_units

logger = logging.getLogger(__name__)


Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")

ADDRESS_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "line1",
    "line2",
    "line3",
    "line4",
    "state",
    "postcode",
    "phone_number",
    "notes",
)


class PaymentStartFailed(Exception):
    pass


# --- what could stop the order ------------------------------------------------------------------
def checkout_validity() -> timedelta:
    return timedelta(minutes=settings.SUMUP_CHECKOUT_VALID_MINUTES)


# --- starting a payment -------------------------------------------------------------------------
def payment_attempt_start(
    *,
    basket,
    user,
    guest_email: str,
    order_number: str,
    shipping_method,
    shipping_address,
    total: Decimal,
    currency: str,
    absolute_url: Callable[[str], str],
) -> PaymentAttempt:
    """Check the basket, reserve its stock, then create a SumUp hosted checkout valid for a while.

    Call outside any transaction: the attempt commits before SumUp is called. `absolute_url` turns a
    path into an absolute URL the shopper's browser and SumUp can reach. Raises CheckoutRefused
    (SoldOut among them) or PaymentStartFailed; in both cases nothing stays reserved.
    """
    with transaction.atomic():
        basket_lock(basket)
        refusals = basket_refusals(basket, user)
        if refusals:
            raise CheckoutRefused(
                "Your basket cannot be bought as it stands: " + " ".join(refusals) + " Please adjust it."
            )
        reserved = stock_reserve(basket)
        attempt_number = PaymentAttempt.objects.filter(order_number=order_number).count() + 1
        attempt = PaymentAttempt.objects.create(
            basket=basket,
            user=user if user and user.is_authenticated else None,
            guest_email=guest_email or "",
            order_number=order_number,
            checkout_reference=f"{order_number}-{attempt_number}",
            amount=total,
            currency=currency,
            shipping_method_code=shipping_method.code,
            shipping_address=(
                {name: getattr(shipping_address, name, "") or "" for name in ADDRESS_FIELDS}
                | {"country": shipping_address.country_id}
                if shipping_address
                else {}
            ),
            reserved_stock=reserved,
            valid_until=timezone.now() + checkout_validity(),
        )
    try:
        with sumup_client() as client:
            checkout = client.checkouts.create(
                checkout_reference=attempt.checkout_reference,
                amount=to_major_units(total),
                currency=currency,
                merchant_code=settings.SUMUP_MERCHANT_CODE,
                description=f"{settings.OSCAR_SHOP_NAME} order {order_number}",
                redirect_url=absolute_url(reverse("commerce:sumup-return", args=[attempt.public_id])),
                return_url=absolute_url(reverse("commerce:sumup-webhook")),
                hosted_checkout={"enabled": True},
                valid_until=attempt.valid_until,
            )
    except Exception as exc:  # the SDK raises APIError, timeouts and connection errors alike
        logger.warning("Order #%s: SumUp checkout creation failed: %s", order_number, exc)
        with transaction.atomic():
            attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt.pk)
            _release(attempt, PaymentAttempt.State.FAILED)
            attempt.note = f"SumUp checkout creation failed: {exc}"[:500]
            attempt.save()
        raise PaymentStartFailed("We could not reach the payment provider. No payment was taken.") from exc
    PaymentAttempt.objects.filter(pk=attempt.pk).update(
        sumup_checkout_id=checkout.id,
        hosted_checkout_url=checkout.hosted_checkout_url or "",
        remote_status=checkout.status or "",
        updated_at=timezone.now(),
    )
    attempt.refresh_from_db()
    return attempt


# --- settling ----------------------------------------------------------------------------------
def payment_attempt_settle(attempt_id: int) -> PaymentAttempt:
    """Re-fetch the checkout from SumUp and act on it; safe to call any number of times, concurrently.

    Call outside any transaction. A refund it decides on is recorded with the outcome and sent by a
    task once that commits.
    """
    sumup_id = PaymentAttempt.objects.values_list("sumup_checkout_id", flat=True).get(pk=attempt_id)
    if not sumup_id:  # SumUp was never reached for it: nothing can have been paid
        return PaymentAttempt.objects.get(pk=attempt_id)
    with sumup_client() as client:  # fetched outside the row lock: no HTTP while holding it
        remote = client.checkouts.get(sumup_id)
    with transaction.atomic():
        attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt_id)
        before = (attempt.state, attempt.remote_status, attempt.transaction_id)
        attempt.remote_status = remote.status or ""
        if remote.status == "PAID":
            attempt.transaction_id = remote.transaction_id or attempt.transaction_id
            _settle_paid(attempt, from_major_units(remote.amount), remote.currency or "")
        elif remote.status in ("FAILED", "EXPIRED") and attempt.state == PaymentAttempt.State.PENDING:
            _release(
                attempt,
                PaymentAttempt.State.FAILED if remote.status == "FAILED" else PaymentAttempt.State.EXPIRED,
            )
        # The slower of return and webhook finds nothing changed and writes nothing.
        if (attempt.state, attempt.remote_status, attempt.transaction_id) != before:
            attempt.save()
    return attempt


def payment_attempt_cancel(attempt_id: int, state: str = PaymentAttempt.State.CANCELLED) -> PaymentAttempt:
    """The shopper came back without paying, or the attempt outlived its validity: deactivate the
    checkout at SumUp so it cannot be paid later, and release its stock. Call outside a transaction."""
    attempt = payment_attempt_settle(attempt_id)  # SumUp may say PAID after all: then that wins
    if attempt.state != PaymentAttempt.State.PENDING:
        return attempt
    if attempt.sumup_checkout_id:
        try:
            with sumup_client() as client:
                client.checkouts.deactivate(attempt.sumup_checkout_id)
        except APIError as exc:  # paid or processed in the meantime: settling again tells which
            logger.info("Checkout %s not deactivated: %s", attempt.sumup_checkout_id, exc)
            return payment_attempt_settle(attempt_id)
    with transaction.atomic():
        attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt_id)
        if attempt.state == PaymentAttempt.State.PENDING:
            _release(attempt, state)
            attempt.save()
    return attempt


# Past its validity an attempt is closed this much later, so a payment SumUp accepted at the last
# second has reached us (by webhook or return) first.
EXPIRY_GRACE = timedelta(minutes=2)


def payment_attempts_expire(now: datetime | None = None) -> list[int]:
    """Close the attempts nobody paid before their validity ran out, releasing their stock."""
    cutoff = (now or timezone.now()) - EXPIRY_GRACE
    overdue = list(
        PaymentAttempt.objects.filter(state=PaymentAttempt.State.PENDING, valid_until__lt=cutoff).values_list(
            "pk", flat=True
        )
    )
    closed = []
    for attempt_id in overdue:
        try:
            attempt = payment_attempt_cancel(attempt_id, PaymentAttempt.State.EXPIRED)
        except Exception:  # SumUp unreachable: the next sweep tries again
            logger.exception("Payment attempt %s could not be expired now", attempt_id)
            continue
        if attempt.state == PaymentAttempt.State.EXPIRED:
            closed.append(attempt_id)
    return closed


def _release(attempt: PaymentAttempt, state: str) -> None:
    stock_release(attempt.reserved_stock)
    attempt.reserved_stock = {}
    attempt.state = state
    basket = Basket.objects.select_for_update().get(pk=attempt.basket_id)
    if basket.status == Basket.FROZEN:
        basket.thaw()


def _settle_paid(attempt: PaymentAttempt, paid: Decimal, currency: str) -> None:
    if attempt.state in (
        PaymentAttempt.State.PLACED,
        PaymentAttempt.State.REFUNDING,
        PaymentAttempt.State.REFUNDED,
        PaymentAttempt.State.FLAGGED,
    ):
        return  # already handled: a replay or the slower of return/webhook
    if paid != attempt.amount or currency != attempt.currency:
        # Not the payment this basket needs: what was paid goes back.
        _refund_unplaced(
            attempt, paid, f"SumUp reports {paid} {currency}, expected {attempt.amount} {attempt.currency}"
        )
        return
    if attempt.state != PaymentAttempt.State.PENDING:
        # Paid after we released the basket (the shopper left, or it expired on our side).
        _refund_unplaced(attempt, paid, f"paid after the checkout was {attempt.get_state_display().lower()}")
        return
    try:
        with transaction.atomic():  # a savepoint: a refused placement leaves nothing behind
            order = order_place(attempt)
    except Exception as exc:  # whatever stops the order, the shopper's money must not stay with us
        logger.exception("Payment attempt %s paid but the order could not be placed", attempt.pk)
        _refund_unplaced(attempt, paid, str(exc) or type(exc).__name__)
        return
    attempt.order = order
    attempt.reserved_stock = {}
    attempt.state = PaymentAttempt.State.PLACED
    order_id = order.pk
    transaction.on_commit(lambda: order_confirmation_send(order_id))


def _refund_unplaced(attempt: PaymentAttempt, paid: Decimal, reason: str) -> None:
    """Paid, but no order can be placed: release what was held, record the refund owed and the
    reason for staff, and send the refund once this commits (retried by a task if SumUp fails)."""
    if attempt.reserved_stock:
        stock_release(attempt.reserved_stock)
        attempt.reserved_stock = {}
    basket = Basket.objects.select_for_update().get(pk=attempt.basket_id)
    if basket.status == Basket.FROZEN:
        basket.thaw()
    attempt.state = PaymentAttempt.State.REFUNDING
    attempt.needs_attention = True
    attempt.note = f"Paid, but no order could be placed: {reason}."[:1000]
    refund = refund_request(attempt=attempt, amount=paid, key=f"attempt-{attempt.pk}-unplaced", reason=reason)
    transaction.on_commit(lambda: refund_owed.send(sender=PaymentAttempt, refund_id=refund.pk))
    logger.warning("Payment attempt %s: %s", attempt.pk, attempt.note)
