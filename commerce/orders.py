"""Turning a paid attempt's basket into exactly one Oscar order: what could stop it, placing it, the email.

Called by the `paid` handler (commerce.payments) while the attempt's row is locked; nothing here calls SumUp.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse
from django.utils import timezone
from oscar.apps.order.utils import OrderCreator
from oscar.core.loading import get_class, get_model

from commerce.line_rules import basket_line_refusals
from commerce.models import PaymentAttempt
from commerce.refunds import SOURCE_TYPE_NAME
from commerce.stock import (
    SoldOut,  # noqa: F401 - callers catch services.SoldOut, as before
    basket_demand,
    basket_lock,
)
from commerce.variants import product_line_title
from durable.outgoing import OutgoingEmail, email_queue

logger = logging.getLogger(__name__)


Basket = get_model("basket", "Basket")
ShippingAddress = get_model("order", "ShippingAddress")
Order = get_model("order", "Order")
SourceType = get_model("payment", "SourceType")
Source = get_model("payment", "Source")
Voucher = get_model("voucher", "Voucher")
PaymentEventType = get_model("order", "PaymentEventType")
CommunicationEventType = get_model("communication", "CommunicationEventType")
CommunicationEmail = get_model("communication", "Email")
Selector = get_class("partner.strategy", "Selector")
Applicator = get_class("offer.applicator", "Applicator")
Repository = get_class("shipping.repository", "Repository")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")
EventHandler = get_class("order.processing", "EventHandler")


class PlacementRefused(Exception):
    """A paid attempt's basket can no longer become that order; the message is the reason."""


def _attempts_holding():
    """Attempts whose shoppers may still pay, or have paid and whose order is not placed yet.

    They hold what they were started with (a single-use voucher here, ticket places in events'
    rule) for as long as they hold its stock: until SumUp's answer moves them on, not merely until
    the checkout's validity. A shopper who paid in time while SumUp's answer is late keeps it; the
    next shopper is refused before paying rather than charged for an order that cannot be placed.
    """
    return PaymentAttempt.objects.filter(state__in=PaymentAttempt.HOLDING_STATES)


def basket_refusals(basket, user) -> list[str]:
    """Why the basket cannot become an order now (line rules, vouchers); empty when it can.

    Stock is checked apart, as it is reserved. Call with the basket's lines' stock records locked
    (`commerce.stock.basket_lock`) so two checkouts of the last places cannot both pass. Its vouchers
    are locked here, after those records as Oscar's placement does: two baskets of different products
    sharing a single-use voucher are checked one after the other, so only one goes to pay with it.
    """
    refusals = basket_line_refusals(basket)
    user = user if user is not None and user.is_authenticated else AnonymousUser()
    now = timezone.now()
    for voucher in basket.vouchers.select_for_update().order_by("pk"):
        available, message = voucher.is_available_to_user(user=user)
        if not voucher.is_active(now):
            refusals.append(f"Voucher {voucher.code} has expired.")
        elif not available:
            refusals.append(f"Voucher {voucher.code}: {message}")
        elif _voucher_held_elsewhere(voucher, basket, user):
            refusals.append(f"Voucher {voucher.code} is being used in another checkout.")
    return refusals


def _voucher_held_elsewhere(voucher, basket, user) -> bool:
    """A voucher that can be used once (or once per customer) already rides with another basket's
    payment (this customer's): both paid, the second could not be placed and would be refunded."""
    others = _attempts_holding().filter(basket__vouchers=voucher).exclude(basket_id=basket.id)
    if voucher.usage == Voucher.SINGLE_USE:
        return others.exists()
    if voucher.usage == Voucher.ONCE_PER_CUSTOMER and user.is_authenticated:
        return others.filter(user=user).exists()
    return False


class _ReservedStockOrderCreator(OrderCreator):
    """Oscar's creator, except stock (allocated when the payment started) and the line's title, which
    names a variant with its product as the basket did ("Wildflower honey — 340 g jar")."""

    def update_stock_records(self, line):
        pass

    def create_line_models(self, order, basket_line, extra_line_fields=None):
        fields = {"title": product_line_title(basket_line.product)} | (extra_line_fields or {})
        return super().create_line_models(order, basket_line, fields)


def order_place(attempt: PaymentAttempt):
    user = attempt.user or AnonymousUser()
    basket = Basket.objects.get(pk=attempt.basket_id)
    basket.strategy = Selector().strategy(user=user)
    basket_lock(basket)
    # The order must be what was paid for: the lines whose stock was reserved when the shopper went
    # to SumUp. A basket changed since (even to the same total) is refused, and the payment refunded.
    if basket_demand(basket) != attempt.reserved_stock:
        raise PlacementRefused("the basket changed after the payment was started")
    refusals = basket_refusals(basket, attempt.user)
    if refusals:
        raise PlacementRefused(" ".join(refusals))
    Applicator().apply(basket, user)
    shipping_method = Repository().find_by_code(attempt.shipping_method_code, basket)
    if shipping_method is None:
        raise PlacementRefused(f"shipping method {attempt.shipping_method_code!r} is no longer offered")
    shipping_charge = shipping_method.calculate(basket)
    total = OrderTotalCalculator().calculate(basket, shipping_charge)
    if total.incl_tax != attempt.amount:
        raise PlacementRefused(f"the basket now comes to {total.incl_tax}, not the {attempt.amount} paid")
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
        # A guest is Oscar's AnonymousUser, as in its own checkout, never None: recording a voucher's
        # use asks the user whether they are signed in, and None would refuse every guest's voucher.
        user=user,
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


def order_confirmation_queue(order) -> OutgoingEmail | None:
    """Queue Oscar's ORDER_PLACED email (HTML and text) to the customer or the guest address, in the
    caller's transaction: the runner sends it once that commits, again while the mail server is down,
    and never twice (one row per order). Oscar's own records of it (the order's communication event,
    the member's sent-email log) are written with the row, as Oscar writes them when it sends."""
    to = order.guest_email if order.is_anonymous else (order.user.email if order.user else "")
    if not to:
        return None
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
    dispatcher = OrderDispatcher(logger=logger)
    messages = dispatcher.dispatcher.get_messages(dispatcher.ORDER_PLACED_EVENT_CODE, context)
    key = f"order-confirmation:{order.number}"
    if OutgoingEmail.objects.filter(key=key).exists():
        return None  # queued by an earlier try of the step: Oscar's records were written with it
    email = email_queue(
        key=key,
        to=to,
        user=None if order.is_anonymous else order.user,
        from_email=settings.OSCAR_FROM_EMAIL,
        subject=messages["subject"],
        text=messages["body"],
        html=messages["html"] or "",
    )
    event_type = CommunicationEventType.objects.filter(code=dispatcher.ORDER_PLACED_EVENT_CODE).first()
    dispatcher.create_communication_event(order, event_type, {"email": email})
    if not order.is_anonymous and settings.OSCAR_SAVE_SENT_EMAILS_TO_DB:
        CommunicationEmail.objects.create(
            user=order.user, email=to, subject=email.subject, body_text=email.text, body_html=email.html
        )
    return email
