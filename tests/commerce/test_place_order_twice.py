"""A double click on "Place order": one reservation, one SumUp checkout, both clicks sent to it."""

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
Selector = get_class("partner.strategy", "Selector")
Repository = get_class("shipping.repository", "Repository")


def _basket(product) -> Basket:
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    basket.add_product(product, 2)
    basket.freeze()
    return basket


def _place(basket, country) -> PaymentAttempt:
    """As the checkout view calls it for each click: outside a transaction, since it calls SumUp."""
    return services.payment_attempt_start(
        basket=basket,
        user=None,
        guest_email="buyer@example.org",
        order_number=str(100000 + basket.pk),
        shipping_method=Repository().find_by_code("collection-point", basket),
        shipping_address=ShippingAddress(first_name="A", line1="1 St", country=country),
        total=Decimal("18.00"),
        currency="GBP",
        absolute_url=lambda path: "http://testserver" + path,
    )


@pytest.mark.django_db(transaction=True)
def test_second_place_order_joins_the_first_checkout(fake_sumup):
    fake_sumup.send_webhooks = False
    honey = stocked_product(num_in_stock=5)
    basket = _basket(honey)
    first = _place(basket, country_gb())
    second = _place(basket, country_gb())
    assert second.pk == first.pk and second.hosted_checkout_url == first.hosted_checkout_url
    assert PaymentAttempt.objects.count() == 1 and len(fake_sumup.checkouts) == 1
    assert honey.stockrecords.get().num_allocated == 2  # reserved once, not twice


@pytest.mark.django_db(transaction=True)
def test_place_order_after_paying_sends_the_shopper_to_the_payment_not_a_new_one(fake_sumup):
    fake_sumup.send_webhooks = False
    honey = stocked_product(num_in_stock=5)
    basket = _basket(honey)
    first = _place(basket, country_gb())
    PaymentAttempt.objects.filter(pk=first.pk).update(state="returned")
    again = _place(basket, country_gb())
    assert again.pk == first.pk and again.state == "returned"
    assert len(fake_sumup.checkouts) == 1


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_place_orders_at_once_open_one_checkout(fake_sumup):
    fake_sumup.send_webhooks = False
    honey = stocked_product(num_in_stock=5)
    basket = _basket(honey)
    country = country_gb()

    def click() -> int:
        return _place(Basket.objects.get(pk=basket.pk), country).pk

    attempts = at_once(click, click)
    assert raised(attempts) == [] and len(set(attempts)) == 1
    assert len(fake_sumup.checkouts) == 1
    assert honey.stockrecords.get().num_allocated == 2
