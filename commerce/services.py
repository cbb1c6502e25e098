"""Checkout writes: reserve stock, start a SumUp checkout, settle it into exactly one order, refund.

The database is the truth. A PaymentAttempt row is locked (`select_for_update`) while it is settled,
so the shopper's return and SumUp's webhook, arriving together, place one order; a partial unique
constraint backs that up. Stock is reserved (Oscar's `num_allocated`) under row locks when the
shopper is sent to SumUp, so the last units cannot be sold twice.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.urls import reverse
from oscar.apps.order.utils import OrderCreator
from oscar.core.loading import get_class, get_model
from sumup import APIError

from commerce.models import PaymentAttempt
from commerce.sumup_client import from_major_units, sumup_client, to_major_units

logger = logging.getLogger(__name__)

Basket = get_model("basket", "Basket")
StockRecord = get_model("partner", "StockRecord")
ShippingAddress = get_model("order", "ShippingAddress")
Order = get_model("order", "Order")
SourceType = get_model("payment", "SourceType")
Source = get_model("payment", "Source")
PaymentEventType = get_model("order", "PaymentEventType")
Selector = get_class("partner.strategy", "Selector")
Applicator = get_class("offer.applicator", "Applicator")
Repository = get_class("shipping.repository", "Repository")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")
EventHandler = get_class("order.processing", "EventHandler")

SOURCE_TYPE_NAME = "SumUp"
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


class SoldOut(Exception):
    """Not enough stock left for some basket lines; `titles` names the products."""

    def __init__(self, titles: list[str]):
        self.titles = titles
        super().__init__(
            f"Sorry, sold out: {', '.join(titles)}. Your basket has been kept; please adjust it."
        )


class PaymentStartFailed(Exception):
    pass


# --- stock -------------------------------------------------------------------------------------
def _basket_demand(basket) -> tuple[Counter, dict[int, str]]:
    demand: Counter = Counter()
    titles: dict[int, str] = {}
    for line in basket.all_lines():
        if line.stockrecord_id and line.product.get_product_class().track_stock:
            demand[line.stockrecord_id] += line.quantity
            titles[line.stockrecord_id] = line.product.get_title()
    return demand, titles


def stock_reserve(basket) -> dict[str, int]:
    """Allocate the basket's quantities on locked stock records, or raise SoldOut touching nothing."""
    demand, titles = _basket_demand(basket)
    # Lock in primary-key order so two baskets sharing products cannot deadlock.
    records = list(StockRecord.objects.select_for_update().filter(pk__in=demand).order_by("pk"))
    short = [titles[r.pk] for r in records if (r.num_in_stock or 0) - (r.num_allocated or 0) < demand[r.pk]]
    if short:
        raise SoldOut(short)
    for record in records:
        record.num_allocated = (record.num_allocated or 0) + demand[record.pk]
        record.save(update_fields=["num_allocated"])
    return {str(pk): quantity for pk, quantity in demand.items()}


def stock_release(reserved: dict[str, int]) -> None:
    records = (
        StockRecord.objects.select_for_update().filter(pk__in=[int(pk) for pk in reserved]).order_by("pk")
    )
    for record in records:
        record.num_allocated = max(0, (record.num_allocated or 0) - reserved[str(record.pk)])
        record.save(update_fields=["num_allocated"])


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
    """Reserve stock and create a SumUp hosted checkout for a frozen basket.

    `absolute_url` turns a path into an absolute URL the shopper's browser and SumUp can reach.
    Raises SoldOut or PaymentStartFailed; in both cases nothing is reserved.
    """
    with transaction.atomic():
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
                )
        except Exception as exc:  # the SDK raises APIError, timeouts and connection errors alike
            logger.warning("Order #%s: SumUp checkout creation failed: %s", order_number, exc)
            # Leaving the atomic block by exception rolls back the reservation and the row.
            raise PaymentStartFailed(
                "We could not reach the payment provider. No payment was taken."
            ) from exc
        attempt.sumup_checkout_id = checkout.id
        attempt.hosted_checkout_url = checkout.hosted_checkout_url or ""
        attempt.remote_status = checkout.status or ""
        attempt.save(
            update_fields=["sumup_checkout_id", "hosted_checkout_url", "remote_status", "updated_at"]
        )
    return attempt


# --- settling ----------------------------------------------------------------------------------
def payment_attempt_settle(attempt_id: int) -> PaymentAttempt:
    """Re-fetch the checkout from SumUp and act on it; safe to call any number of times, concurrently."""
    sumup_id = PaymentAttempt.objects.values_list("sumup_checkout_id", flat=True).get(pk=attempt_id)
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


def payment_attempt_cancel(attempt_id: int) -> PaymentAttempt:
    """The shopper came back without paying: deactivate the checkout at SumUp so it cannot be paid later."""
    attempt = payment_attempt_settle(attempt_id)  # SumUp may say PAID after all: then that wins
    if attempt.state != PaymentAttempt.State.PENDING:
        return attempt
    try:
        with sumup_client() as client:
            client.checkouts.deactivate(attempt.sumup_checkout_id)
    except APIError as exc:  # paid or processed in the meantime: settling again tells which
        logger.info("Checkout %s not deactivated: %s", attempt.sumup_checkout_id, exc)
        return payment_attempt_settle(attempt_id)
    with transaction.atomic():
        attempt = PaymentAttempt.objects.select_for_update().get(pk=attempt_id)
        if attempt.state == PaymentAttempt.State.PENDING:
            _release(attempt, PaymentAttempt.State.CANCELLED)
            attempt.save()
    return attempt


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
        PaymentAttempt.State.REFUNDED,
        PaymentAttempt.State.FLAGGED,
    ):
        return  # already handled: a replay or the slower of return/webhook
    if paid != attempt.amount or currency != attempt.currency:
        attempt.state = PaymentAttempt.State.FLAGGED
        attempt.note = f"SumUp reports {paid} {currency}, expected {attempt.amount} {attempt.currency}."
        logger.error("Payment attempt %s flagged: %s", attempt.pk, attempt.note)
        return
    if attempt.state != PaymentAttempt.State.PENDING:
        # Paid after we released the basket (the shopper changed it, or it expired on our side):
        # the money goes back, and staff can see why.
        _refund_released(attempt)
        return
    attempt.order = _order_place(attempt)
    attempt.reserved_stock = {}
    attempt.state = PaymentAttempt.State.PLACED
    order_id = attempt.order.pk
    transaction.on_commit(lambda: order_confirmation_send(order_id))


def _refund_released(attempt: PaymentAttempt) -> None:
    try:
        with sumup_client() as client:
            client.transactions.refund(settings.SUMUP_MERCHANT_CODE, attempt.transaction_id)
    except Exception as exc:
        attempt.state = PaymentAttempt.State.FLAGGED
        attempt.note = f"Paid after the basket was released; the automatic refund failed ({exc})."
    else:
        attempt.state = PaymentAttempt.State.REFUNDED
        attempt.note = "Paid after the basket was released; refunded in full automatically."
    logger.warning("Payment attempt %s: %s", attempt.pk, attempt.note)


class _ReservedStockOrderCreator(OrderCreator):
    """Oscar's creator, except stock: it was allocated when the payment started."""

    def update_stock_records(self, line):
        pass


def _order_place(attempt: PaymentAttempt):
    user = attempt.user or AnonymousUser()
    basket = Basket.objects.get(pk=attempt.basket_id)
    basket.strategy = Selector().strategy(user=user)
    Applicator().apply(basket, user)
    shipping_method = Repository().find_by_code(attempt.shipping_method_code, basket)
    shipping_charge = shipping_method.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, shipping_charge)
    shipping_address = None
    if attempt.shipping_address:  # empty when nothing needs shipping (e.g. event tickets)
        address_data = dict(attempt.shipping_address)
        shipping_address = ShippingAddress(country_id=address_data.pop("country") or None, **address_data)
        shipping_address.save()
    order = _ReservedStockOrderCreator().place_order(
        basket=basket,
        total=total,
        shipping_method=shipping_method,
        shipping_charge=shipping_charge,
        user=attempt.user,
        shipping_address=shipping_address,
        order_number=attempt.order_number,
        guest_email=attempt.guest_email or "",
    )
    source_type, _ = SourceType.objects.get_or_create(name=SOURCE_TYPE_NAME)
    source = Source.objects.create(
        order=order,
        source_type=source_type,
        currency=attempt.currency,
        amount_allocated=attempt.amount,
        reference=attempt.sumup_checkout_id,
    )
    source.debit(attempt.amount, reference=attempt.transaction_id)
    paid_type, _ = PaymentEventType.objects.get_or_create(name="Paid")
    EventHandler().create_payment_event(
        order,
        paid_type,
        attempt.amount,
        lines=list(order.lines.all()),
        line_quantities=[line.quantity for line in order.lines.all()],
        reference=attempt.transaction_id,
    )
    basket.submit()
    return order


# --- after the order ---------------------------------------------------------------------------
def order_confirmation_send(order_id: int) -> None:
    """Oscar's ORDER_PLACED email (HTML and text) to the customer or the guest address."""
    order = Order.objects.get(pk=order_id)
    if order.is_anonymous:
        path = reverse("customer:anon-order", args=[order.number, order.verification_hash()])
    else:
        path = reverse("customer:order", args=[order.number])
    context = {
        "user": order.user,
        "order": order,
        "lines": order.lines.all(),
        "status_path": path,
        "status_url": f"{settings.SITE_URL}{path}",
    }
    OrderDispatcher(logger=logger).send_order_placed_email_for_user(order, context)


def order_refund(order, amount: Decimal, *, reference: str = "") -> Decimal:
    """Refund part or all of a SumUp-paid order through SumUp's API and record it on the order."""
    amount = Decimal(amount).quantize(Decimal("0.01"))
    with transaction.atomic():
        source = Source.objects.select_for_update().get(order=order, source_type__name=SOURCE_TYPE_NAME)
        refundable = source.amount_debited - source.amount_refunded
        if amount <= 0 or amount > refundable:
            raise ValueError(f"Refund must be between 0.01 and {refundable}.")
        attempt = PaymentAttempt.objects.get(order=order)
        with sumup_client() as client:
            client.transactions.refund(
                settings.SUMUP_MERCHANT_CODE, attempt.transaction_id, amount=to_major_units(amount)
            )
        source.refund(amount, reference=reference or attempt.transaction_id)
        refunded_type, _ = PaymentEventType.objects.get_or_create(name="Refunded")
        EventHandler().create_payment_event(order, refunded_type, amount, reference=attempt.transaction_id)
    return amount
