"""An order only for exactly what was paid: SumUp's amount, currency and merchant checked, the basket
as it was when the shopper went to pay, and one order when the webhooks and the return race."""

import functools
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from commerce.models import PaymentAttempt
from tests.concurrency import at_once
from tests.factories.commerce import guest_checkout_to_sumup, stocked_product
from tests.security.money_support import webhook_post

Order = get_model("order", "Order")
Line = get_model("basket", "Line")

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("tamper", ["amount", "currency"])
def test_checkout_paid_for_another_amount_or_currency_is_refunded_not_placed(client, fake_sumup, tamper):
    guest_checkout_to_sumup(client, [(stocked_product(num_in_stock=2), 1)])
    attempt = PaymentAttempt.objects.get()
    checkout = fake_sumup.checkouts[attempt.sumup_checkout_id]
    if tamper == "amount":  # a partial payment, or a checkout changed at SumUp behind our back
        checkout["amount"] = round(checkout["amount"] - 1.0, 2)
    else:
        checkout["currency"] = "USD"
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")

    assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204

    attempt.refresh_from_db()
    assert attempt.state == "refunded" and attempt.needs_attention and "SumUp reports" in attempt.note
    assert not Order.objects.exists()
    [refund] = fake_sumup.refunds  # what was taken goes back, whatever it was
    assert Decimal(str(refund["amount"])) == attempt.paid_amount == Decimal(str(checkout["amount"]))


def test_webhook_for_an_unknown_or_another_merchants_checkout_changes_nothing(client, fake_sumup):
    honey = stocked_product(num_in_stock=2)
    guest_checkout_to_sumup(client, [(honey, 1)])
    attempt = PaymentAttempt.objects.get()
    # Another merchant's paid checkout, even one carrying our attempt's reference.
    _, other = fake_sumup.create_checkout(
        {
            "checkout_reference": attempt.checkout_reference,
            "amount": 50.0,
            "currency": "GBP",
            "merchant_code": "MOTHER",
        }
    )
    fake_sumup.settle(other["id"], "pay", webhook="none")

    assert webhook_post(fake_sumup, other["id"]).status_code == 204
    assert webhook_post(fake_sumup, "no-such-checkout").status_code == 204
    assert PaymentAttempt.objects.get().sumup_checkout_id == attempt.sumup_checkout_id
    assert PaymentAttempt.objects.get().state == "pending"

    # Our record names that checkout (tampered, or mixed up): SumUp says it is not ours. Nothing is
    # placed or refunded on our own, the stock stays held, and staff are asked to look.
    PaymentAttempt.objects.filter(pk=attempt.pk).update(sumup_checkout_id=other["id"])
    assert webhook_post(fake_sumup, other["id"]).status_code == 204
    attempt.refresh_from_db()
    assert attempt.state == "flagged" and attempt.needs_attention and "not this payment's" in attempt.note
    assert not Order.objects.exists() and not fake_sumup.refunds
    assert honey.stockrecords.get().num_allocated == 1


def test_items_added_in_another_tab_while_at_sumup_are_not_in_the_paid_order(client, fake_sumup):
    honey, leeks = stocked_product(num_in_stock=2), stocked_product(title="Leeks", num_in_stock=2)
    guest_checkout_to_sumup(client, [(honey, 1)])
    attempt = PaymentAttempt.objects.get()
    client.post(reverse("basket:add", args=[leeks.pk]), {"quantity": 1})  # another tab, same session
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")

    response = client.get(reverse("commerce:sumup-return", args=[attempt.public_id]))

    assert response["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert [(line.product_id, line.quantity) for line in order.lines.all()] == [(honey.pk, 1)]
    assert order.total_incl_tax == attempt.amount
    basket = client.get(reverse("basket:summary")).context["basket"]
    assert [line.product for line in basket.all_lines()] == [leeks]  # kept for the next order


def test_paid_basket_changed_to_the_same_total_is_refunded_not_placed(client, fake_sumup):
    honey = stocked_product(num_in_stock=2)
    jam = stocked_product(title="Plum jam", num_in_stock=2)  # the same price as the honey
    guest_checkout_to_sumup(client, [(honey, 1)])
    attempt = PaymentAttempt.objects.get()
    # The frozen basket's line now names another product of the same price (a stale form, a bug):
    # the total still matches, but it is not what the stock was held for and the shopper paid for.
    Line.objects.filter(basket_id=attempt.basket_id).update(product=jam, stockrecord=jam.stockrecords.get())
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")

    assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204

    attempt.refresh_from_db()
    assert attempt.state == "refunded" and "basket changed" in attempt.note
    assert not Order.objects.exists() and len(fake_sumup.refunds) == 1
    assert honey.stockrecords.get().num_allocated == 0 and not jam.stockrecords.get().num_allocated


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="concurrent requests need PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_two_webhooks_and_the_shoppers_return_at_once_place_one_order(live_server, fake_sumup):
    import httpx

    shopper = Client()
    honey = stocked_product(num_in_stock=3)
    guest_checkout_to_sumup(shopper, [(honey, 1)])
    attempt = PaymentAttempt.objects.get()
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    cookies = {name: morsel.value for name, morsel in shopper.cookies.items()}
    bodies = [
        json.dumps(
            {
                "id": f"evt_race_{n}",
                "type": "checkouts.paid",
                "created_at": "2026-01-01T00:00:00Z",
                "object": {"id": attempt.sumup_checkout_id, "type": "checkout", "url": fake_sumup.url},
            }
        ).encode()
        for n in range(2)
    ]
    webhook_url = live_server.url + reverse("commerce:sumup-webhook")
    return_url = live_server.url + reverse("commerce:sumup-return", args=[attempt.public_id])

    def deliver(body: bytes) -> int:
        headers = {"Content-Type": "application/json", "X-SumUp-Webhook-Signature": fake_sumup.sign(body)}
        return httpx.post(webhook_url, content=body, headers=headers, timeout=30).status_code

    def come_back() -> str:
        return httpx.get(return_url, cookies=cookies, timeout=30).headers.get("location", "")

    answers = at_once(*[functools.partial(deliver, body) for body in bodies], come_back)

    assert answers == [204, 204, reverse("checkout:thank-you")]  # both webhooks, then the return
    assert Order.objects.filter(number=attempt.order_number).count() == 1
    assert PaymentAttempt.objects.get().state == "placed" and not fake_sumup.refunds
    assert honey.stockrecords.get().num_allocated == 1
