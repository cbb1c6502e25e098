"""Checkout through SumUp's hosted page (our fake): return, webhook, replay, decline, sold out."""

from decimal import Decimal

import httpx
import pytest
from django.core import mail
from django.urls import reverse
from oscar.core.loading import get_model

from commerce.models import PaymentAttempt
from tests.factories.commerce import guest_checkout_to_sumup, stocked_product

Order = get_model("order", "Order")
Basket = get_model("basket", "Basket")

pytestmark = pytest.mark.django_db


def _attempt_for(response):
    assert response.status_code == 302, response.content[:500]
    attempt = PaymentAttempt.objects.get()
    assert response["Location"] == attempt.hosted_checkout_url
    return attempt


def _return(client, attempt):
    return client.get(reverse("commerce:sumup-return", args=[attempt.public_id]))


def test_checkout_paid_return_places_one_order_and_emails(
    client, fake_sumup, django_capture_on_commit_callbacks
):
    honey = stocked_product(price="7.50", num_in_stock=5)
    attempt = _attempt_for(guest_checkout_to_sumup(client, [(honey, 2)]))
    # 2 x (7.50 + 20 % VAT) + delivery 4.95
    assert attempt.amount == Decimal("2") * Decimal("9.00") + Decimal("4.95")
    honey.stockrecords.get().refresh_from_db()
    assert honey.stockrecords.get().num_allocated == 2
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")

    with django_capture_on_commit_callbacks(execute=True):
        response = _return(client, attempt)

    assert response["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    assert order.total_incl_tax == attempt.amount and order.guest_email == "ada@example.org"
    assert order.shipping_code == "delivery"
    assert order.payment_events.get().event_type.name == "Paid"
    assert honey.stockrecords.get().num_allocated == 2  # reserved once, not again by the order
    assert client.get(response["Location"]).status_code == 200
    [email] = mail.outbox
    assert order.number in email.body and email.alternatives[0][1] == "text/html"


@pytest.mark.django_db(transaction=True)
def test_checkout_webhook_then_return_and_replay_place_one_order(client, fake_sumup, live_server):
    honey = stocked_product()
    response = guest_checkout_to_sumup(client, [(honey, 1)])
    attempt = _attempt_for(response)
    # SumUp posts to the webhook URL the checkout was created with; point it at the live server.
    fake_sumup.checkouts[attempt.sumup_checkout_id]["return_url"] = live_server.url + reverse(
        "commerce:sumup-webhook"
    )
    delivery = fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="sync") and fake_sumup.webhooks[-1]
    assert delivery.statuses == [204]
    assert Order.objects.count() == 1

    replay = httpx.post(delivery.url, content=delivery.body, headers=delivery.headers)
    assert replay.status_code == 204
    assert _return(client, attempt)["Location"] == reverse("checkout:thank-you")
    assert Order.objects.count() == 1


def test_webhook_forged_signature_rejected(client, fake_sumup):
    honey = stocked_product()
    attempt = _attempt_for(guest_checkout_to_sumup(client, [(honey, 1)]))
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    body = b'{"id":"evt_x","type":"checkouts.paid","created_at":"2026-01-01T00:00:00Z",' + (
        b'"object":{"id":"%s","type":"checkout","url":"%s/v0.1/checkouts/%s"}}'
        % (attempt.sumup_checkout_id.encode(), fake_sumup.url.encode(), attempt.sumup_checkout_id.encode())
    )
    forged = fake_sumup.sign(body, secret="not-the-secret")
    response = client.post(
        reverse("commerce:sumup-webhook"),
        body,
        content_type="application/json",
        HTTP_X_SUMUP_WEBHOOK_SIGNATURE=forged,
    )
    assert response.status_code == 400
    assert not Order.objects.exists()


def test_checkout_declined_restores_basket_and_stock(client, fake_sumup):
    honey = stocked_product(num_in_stock=3)
    bread = stocked_product(title="Sourdough", price="4.20")
    attempt = _attempt_for(guest_checkout_to_sumup(client, [(honey, 1), (bread, 2)]))
    fake_sumup.settle(attempt.sumup_checkout_id, "decline", webhook="none")

    response = _return(client, attempt)

    assert response["Location"] == reverse("basket:summary")
    page = client.get(response["Location"])
    assert b"declined" in page.content
    basket = page.context["basket"]
    assert basket.id == attempt.basket_id and basket.status == Basket.OPEN
    assert sorted((line.product.title, line.quantity) for line in basket.all_lines()) == [
        ("Sourdough", 2),
        ("Wildflower honey", 1),
    ]
    assert honey.stockrecords.get().num_allocated == 0
    assert not Order.objects.exists()


def test_checkout_expired_by_hook_restores_basket(client, fake_sumup):
    honey = stocked_product()
    attempt = _attempt_for(guest_checkout_to_sumup(client, [(honey, 1)]))
    fake_sumup.settle(attempt.sumup_checkout_id, "expire", webhook="none")
    response = _return(client, attempt)
    assert response["Location"] == reverse("basket:summary")
    assert b"expired" in client.get(response["Location"]).content
    assert PaymentAttempt.objects.get().state == "expired"


def test_checkout_abandoned_return_cancels_and_late_payment_impossible(client, fake_sumup):
    honey = stocked_product()
    attempt = _attempt_for(guest_checkout_to_sumup(client, [(honey, 1)]))
    _return(client, attempt)
    assert PaymentAttempt.objects.get().state == "cancelled"
    assert fake_sumup.settle(attempt.sumup_checkout_id, "pay") is None  # deactivated at SumUp


def test_checkout_last_unit_taken_second_buyer_told_sold_out(client, fake_sumup):
    from django.test import Client

    honey = stocked_product(num_in_stock=1)
    other = Client()
    # Both shoppers hold the last jar in their baskets; the first to place the order gets it.
    other.post(reverse("basket:add", args=[honey.pk]), {"quantity": 1})
    first = guest_checkout_to_sumup(client, [(honey, 1)])
    second = guest_checkout_to_sumup(other, [], email="bob@example.org")

    assert first["Location"] == PaymentAttempt.objects.get().hosted_checkout_url
    assert second["Location"] == reverse("basket:summary")
    page = other.get(second["Location"]).content.decode()
    assert "Wildflower honey" in page and ("sold out" in page.lower() or "no longer available" in page)
    assert PaymentAttempt.objects.count() == 1


def test_dashboard_refund_calls_sumup_and_records_event(client, admin_client, fake_sumup):
    honey = stocked_product(price="10.00")
    attempt = _attempt_for(guest_checkout_to_sumup(client, [(honey, 1)], method="collection-point"))
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    _return(client, attempt)
    order = Order.objects.get()

    response = admin_client.post(reverse("commerce:order-refund", args=[order.number]), {"amount": "5.00"})

    assert response.status_code == 302
    assert fake_sumup.refunds == [
        {"id": fake_sumup.refunds[0]["id"], "transaction_id": attempt_transaction(order), "amount": 5.0}
    ]
    assert list(order.payment_events.order_by("pk").values_list("event_type__name", "amount")) == [
        ("Paid", Decimal("12.00")),
        ("Refunded", Decimal("5.00")),
    ]
    too_much = admin_client.post(
        reverse("commerce:order-refund", args=[order.number]), {"amount": "8.00"}, follow=True
    )
    assert b"Refund not made" in too_much.content and len(fake_sumup.refunds) == 1


def attempt_transaction(order):
    return PaymentAttempt.objects.get(order=order).transaction_id
