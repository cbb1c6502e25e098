"""Checkout writes: check and reserve, start a SumUp checkout, and settle it when SumUp or the shopper
says something happened.

The database is the truth, and SumUp is called only outside a transaction: the attempt (and the
stock it reserves) is committed before the checkout is created at SumUp, and its result recorded
after. From then on the attempt is a state machine of the one runner (its states and handlers are
in commerce.models.payments and commerce.payments): the webhook and the return only wake it, and the
runner's lease lets one process at a time ask SumUp and place the order, so the two arriving together
place one order; Oscar's unique order number backs that up. Everything that could stop the order
(stock, line rules such as ticket quotas, vouchers) is checked before the shopper goes to SumUp and
again at placement; money paid that still cannot become an order is refunded automatically and the
attempt flagged for staff.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from commerce.models import PaymentAttempt
from commerce.orders import basket_refusals
from commerce.payments import checkout_validity, payment_closes_at, payment_paid_late, payment_release
from commerce.stock import (
    CheckoutRefused,
    SoldOut,  # noqa: F401 - callers catch services.SoldOut, as before
    basket_lock,
    stock_reserve,
)
from commerce.sumup_client import sumup_client, to_major_units
from durable import runner

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
    (SoldOut among them) or PaymentStartFailed; in both cases this call leaves nothing reserved.
    A second call for a basket whose payment is already started (a double click) returns that
    attempt, once it has its checkout, rather than reserving the stock and opening a checkout again.
    """
    with transaction.atomic():
        basket_lock(basket)
        started = _attempt_started_for(basket)
        if started is None:
            attempt = _attempt_create(
                basket=basket,
                user=user,
                guest_email=guest_email,
                order_number=order_number,
                shipping_method=shipping_method,
                shipping_address=shipping_address,
                total=total,
                currency=currency,
            )
    if started is not None:  # waited for outside the lock: the other request needs no lock to finish
        if started.amount != total or started.shipping_method_code != shipping_method.code:
            raise PaymentStartFailed(
                "This basket's payment was started with another total. Please try again."
            )
        return _hosted_checkout_wait(started)
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
        payment_release(attempt)
        attempt.transition("start_failed")  # committed with no lease: nothing else holds it yet
        PaymentAttempt.objects.filter(pk=attempt.pk).update(
            note=f"SumUp checkout creation failed: {exc}"[:500]
        )
        raise PaymentStartFailed("We could not reach the payment provider. No payment was taken.") from exc
    PaymentAttempt.objects.filter(pk=attempt.pk).update(
        sumup_checkout_id=checkout.id,
        hosted_checkout_url=checkout.hosted_checkout_url or "",
        remote_status=checkout.status or "",
        updated_at=timezone.now(),
    )
    attempt.refresh_from_db()
    return attempt


def _attempt_create(
    *,
    basket,
    user,
    guest_email: str,
    order_number: str,
    shipping_method,
    shipping_address,
    total: Decimal,
    currency: str,
) -> PaymentAttempt:
    """Check the basket, reserve its stock and record the attempt (call under basket_lock)."""
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
    # Unless a webhook or the shopper wakes it first, the runner looks at it once it lapses.
    attempt.due_at = payment_closes_at(attempt)
    attempt.save(update_fields=["due_at"])
    return attempt


# A double click on "Place order" sends two requests for one basket; the second may arrive while the
# first is still asking SumUp for its checkout. It waits this long for that checkout's URL.
STARTING_WAIT_SECONDS = 15.0


def _attempt_started_for(basket) -> PaymentAttempt | None:
    """The attempt already holding this basket's stock (call under basket_lock): a second "Place
    order" joins it instead of reserving the stock again and opening a second checkout at SumUp."""
    return (
        PaymentAttempt.objects.filter(
            basket_id=basket.pk, state__in=PaymentAttempt.HOLDING_STATES, valid_until__gt=timezone.now()
        )
        .order_by("-pk")
        .first()
    )


def _hosted_checkout_wait(attempt: PaymentAttempt) -> PaymentAttempt:
    """The attempt once the request that started it has its SumUp checkout (or has given up).

    One already back from SumUp (returned, paid) is returned as it is: the caller sends the shopper to
    its return page rather than to a second payment."""
    deadline = time.monotonic() + STARTING_WAIT_SECONDS
    while attempt.state == "pending" and not attempt.hosted_checkout_url and time.monotonic() < deadline:
        time.sleep(0.05)
        attempt.refresh_from_db()
    if attempt.state in PaymentAttempt.HOLDING_STATES and (
        attempt.hosted_checkout_url or attempt.state != "pending"
    ):
        return attempt
    raise PaymentStartFailed(
        "This order's payment is already being started. Please check your other window or try again."
    )


# --- settling ---------------------------------------------------------------------------------
# How long the shopper's return or a webhook waits for another process already settling the attempt
# (the other of the two, or the sweep) before answering with the state it is in.
SETTLE_WAIT_SECONDS = 10.0


def payment_attempt_settle(attempt_id: int, *, returned: bool = False) -> PaymentAttempt:
    """SumUp's webhook or the shopper's return: settle the attempt now, through the one runner.

    Wakes the row (moving it to `returned` when the shopper came back) and advances it here, so the
    handlers ask SumUp and place the order or the refund outside any transaction. If another process
    holds the row (the webhook and the return arriving together), waits for it to finish and asks
    once more, so news that reached us after its look at SumUp is not lost. Safe to call any number
    of times, concurrently; call outside any transaction.

    An attempt already resting in a nothing-paid state is not worked by the runner any more: SumUp
    is asked once more whether it was paid after all (then it is refunded, never placed). That
    question raises when SumUp cannot answer; the webhook then answers 503 so SumUp sends it again.
    """
    state = PaymentAttempt.objects.values_list("state", flat=True).get(pk=attempt_id)
    if state in PaymentAttempt.UNPAID_STATES:
        payment_paid_late(attempt_id, timezone.now())
        return PaymentAttempt.objects.get(pk=attempt_id)
    deadline = time.monotonic() + SETTLE_WAIT_SECONDS
    while True:
        if not (returned and runner.wake(PaymentAttempt, attempt_id, to="returned")):
            runner.wake(PaymentAttempt, attempt_id)
        runner.advance(PaymentAttempt, attempt_id)
        attempt = PaymentAttempt.objects.get(pk=attempt_id)
        held = attempt.locked_until is not None and attempt.locked_until > timezone.now()
        if not held or time.monotonic() >= deadline:
            return attempt
        time.sleep(0.1)
