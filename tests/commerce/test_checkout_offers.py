"""Vouchers and offers between "Place order" and the order: a guest's voucher is honoured; one that
expires, or an offer used up by another shopper, while the shopper is at SumUp never makes an order for
another amount than was paid: the payment comes back in full and the shopper is told why."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import create_offer, create_voucher

from commerce.models import PaymentAttempt
from tests.factories.commerce import guest_checkout_to_sumup, stocked_product
from tests.security.money_support import webhook_post

Order = get_model("order", "Order")
Voucher = get_model("voucher", "Voucher")

pytestmark = pytest.mark.django_db


def _voucher_checkout(client, product, voucher, email="ada@example.org") -> PaymentAttempt:
    client.post(reverse("basket:add", args=[product.pk]), {"quantity": 1})
    client.post(reverse("basket:vouchers-add"), {"code": voucher.code})
    guest_checkout_to_sumup(client, [], email=email)
    return PaymentAttempt.objects.order_by("-pk").first()


def _paid(fake_sumup, attempt, capture) -> PaymentAttempt:
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    with capture(execute=True):
        assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204
    attempt.refresh_from_db()
    return attempt


def test_guest_paying_with_a_voucher_gets_the_discounted_order(
    client, fake_sumup, django_capture_on_commit_callbacks
):
    voucher = create_voucher(code="SPRING", usage=Voucher.MULTI_USE)
    attempt = _voucher_checkout(client, stocked_product(price="10.00"), voucher)

    attempt = _paid(fake_sumup, attempt, django_capture_on_commit_callbacks)

    assert attempt.state == "placed" and not fake_sumup.refunds, attempt.note
    order = Order.objects.get(number=attempt.order_number)
    assert order.total_incl_tax == attempt.amount == attempt.paid_amount
    assert order.basket_discounts.get().voucher_code == "SPRING" and order.guest_email == "ada@example.org"
    voucher.refresh_from_db()
    assert voucher.num_orders == 1


def test_voucher_expiring_while_at_sumup_refunds_in_full_and_tells_the_shopper(
    client, fake_sumup, django_capture_on_commit_callbacks
):
    voucher = create_voucher(code="TODAY", usage=Voucher.MULTI_USE)
    attempt = _voucher_checkout(client, stocked_product(price="10.00"), voucher)
    Voucher.objects.filter(pk=voucher.pk).update(end_datetime=timezone.now() - timedelta(seconds=1))

    attempt = _paid(fake_sumup, attempt, django_capture_on_commit_callbacks)

    assert attempt.state == "refunded" and "TODAY has expired" in attempt.note
    assert not Order.objects.filter(number=attempt.order_number).exists()
    [refund] = fake_sumup.refunds
    assert Decimal(str(refund["amount"])) == attempt.paid_amount == attempt.amount
    told = [email for email in mail.outbox if email.to == ["ada@example.org"]]
    assert told and "TODAY has expired" in told[0].body and "no order was placed" in told[0].body
    page = client.get(reverse("commerce:sumup-return", args=[attempt.public_id]), follow=True)
    assert "being refunded in full" in page.content.decode()


def test_offer_used_up_by_another_shopper_meanwhile_refunds_the_second_in_full(
    client, fake_sumup, django_capture_on_commit_callbacks
):
    offer = create_offer(name="First buyer", offer_type="Site")
    offer.max_global_applications = 1
    offer.save()
    honey = stocked_product(price="10.00", num_in_stock=5)
    ada = guest_checkout_to_sumup(client, [(honey, 1)]) and PaymentAttempt.objects.get()
    guest_checkout_to_sumup(Client(), [(honey, 1)], email="bob@example.org")
    bob = PaymentAttempt.objects.exclude(pk=ada.pk).get()
    assert ada.amount == bob.amount  # both went to pay with the offer's discount

    ada = _paid(fake_sumup, ada, django_capture_on_commit_callbacks)
    bob = _paid(fake_sumup, bob, django_capture_on_commit_callbacks)

    assert ada.state == "placed"
    assert Order.objects.get(number=ada.order_number).total_incl_tax == ada.paid_amount
    assert bob.state == "refunded" and not Order.objects.filter(number=bob.order_number).exists()
    [refund] = fake_sumup.refunds
    assert refund["transaction_id"] == bob.transaction_id
    assert Decimal(str(refund["amount"])) == bob.paid_amount
    assert any(email.to == ["bob@example.org"] and "refund" in email.body for email in mail.outbox)
    assert honey.stockrecords.get().num_allocated == 1  # Bob's jar went back


def test_once_per_customer_voucher_in_a_second_checkout_is_refused_before_paying(client, fake_sumup):
    from tests.factories import events as f

    sam = f.user("sam@example.org")
    client.force_login(sam)
    voucher = create_voucher(code="WELCOME", usage=Voucher.ONCE_PER_CUSTOMER)
    for title in ("Honey", "Leeks"):  # the second in another tab, while the first is at SumUp
        client.post(reverse("basket:add", args=[stocked_product(title=title).pk]), {"quantity": 1})
        client.post(reverse("basket:vouchers-add"), {"code": voucher.code})
        client.get(reverse("checkout:index"))
        client.post(reverse("checkout:shipping-method"), {"method_code": "collection-point"})
        response = client.post(reverse("checkout:preview"), {"action": "place_order"})

    assert response["Location"] == reverse("basket:summary")
    assert "being used in another checkout" in client.get(response["Location"]).content.decode()
    [attempt] = PaymentAttempt.objects.all()
    assert attempt.user == sam and len(fake_sumup.checkouts) == 1
