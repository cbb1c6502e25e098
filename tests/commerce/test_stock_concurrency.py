"""Fifty buyers race for the last ten units: row locks on PostgreSQL let exactly ten through."""

import functools
from decimal import Decimal

import pytest
from django.conf import settings
from oscar.core.loading import get_class, get_model

from commerce import services
from commerce.models import PaymentAttempt
from tests.concurrency import at_once, raised
from tests.factories.commerce import country_gb, stocked_product

Basket = get_model("basket", "Basket")
ShippingAddress = get_model("order", "ShippingAddress")
Order = get_model("order", "Order")
Selector = get_class("partner.strategy", "Selector")
Repository = get_class("shipping.repository", "Repository")

BUYERS, UNITS = 50, 10


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_stock_fifty_buyers_last_ten_units_ten_orders_forty_sold_out(fake_sumup):
    fake_sumup.send_webhooks = False
    country = country_gb()
    honey = stocked_product(num_in_stock=UNITS)
    baskets = []
    for _ in range(BUYERS):
        basket = Basket.objects.create()
        basket.strategy = Selector().strategy()
        basket.add_product(honey, 1)
        baskets.append(basket)

    def buy(basket) -> str:
        try:
            method = Repository().find_by_code("collection-point", basket)
            basket.freeze()
            # Called as the checkout view calls it: outside a transaction, since it calls SumUp.
            services.payment_attempt_start(
                basket=basket,
                user=None,
                guest_email="buyer@example.org",
                order_number=str(100000 + basket.pk),
                shipping_method=method,
                shipping_address=ShippingAddress(first_name="A", line1="1 St", country=country),
                total=Decimal("9.00"),
                currency="GBP",
                absolute_url=lambda path: "http://testserver" + path,
            )
            return "reserved"
        except services.SoldOut as exc:
            return "sold out" if "sold out" in str(exc) else str(exc)

    outcomes = at_once(*[functools.partial(buy, basket) for basket in baskets])

    assert raised(outcomes) == []
    assert sorted(outcomes).count("reserved") == UNITS and outcomes.count("sold out") == BUYERS - UNITS
    record = honey.stockrecords.get()
    assert record.num_allocated == UNITS
    for attempt in PaymentAttempt.objects.all():
        fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
        services.payment_attempt_settle(attempt.pk)
    assert Order.objects.count() == UNITS
