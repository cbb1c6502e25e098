"""SumUp's return URL acts only for the shopper who started the payment: their session or their user."""

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from commerce.models import PaymentAttempt
from tests.factories.commerce import ADDRESS, country_gb, guest_checkout_to_sumup, stocked_product

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db


def _return_url(attempt):
    return reverse("commerce:sumup-return", args=[attempt.public_id])


def test_stranger_with_the_return_url_cannot_cancel_the_payment(client, fake_sumup):
    honey = stocked_product(num_in_stock=2)
    guest_checkout_to_sumup(client, [(honey, 1)])
    attempt = PaymentAttempt.objects.get()

    response = Client().get(_return_url(attempt))

    assert response.status_code == 404
    assert PaymentAttempt.objects.get().state == "pending"
    assert fake_sumup.checkouts[attempt.sumup_checkout_id]["status"] == "PENDING"
    assert honey.stockrecords.get().num_allocated == 1


def test_stranger_with_the_return_url_cannot_see_the_order(client, fake_sumup):
    guest_checkout_to_sumup(client, [(stocked_product(), 1)])
    attempt = PaymentAttempt.objects.get()
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    stranger = Client()

    response = stranger.get(_return_url(attempt), follow=True)

    assert response.status_code == 404
    assert ADDRESS["line1"] not in response.content.decode()
    thank_you = stranger.get(reverse("checkout:thank-you"))
    assert ADDRESS["line1"] not in thank_you.content.decode()
    assert not Order.objects.exists()  # nothing acted on by the stranger's visit


def test_shopper_session_returning_places_the_order(client, fake_sumup):
    guest_checkout_to_sumup(client, [(stocked_product(), 1)])
    attempt = PaymentAttempt.objects.get()
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    response = client.get(_return_url(attempt))
    assert response["Location"] == reverse("checkout:thank-you")
    assert ADDRESS["line1"] in client.get(response["Location"]).content.decode()


def test_signed_in_shopper_returning_in_another_session_is_recognised(client, fake_sumup):
    from tests.factories import events as f

    country_gb()
    sam = f.user("sam@example.org")
    client.force_login(sam)
    honey = stocked_product()
    client.post(reverse("basket:add", args=[honey.pk]), {"quantity": 1})
    client.get(reverse("checkout:index"))
    client.post(reverse("checkout:shipping-address"), ADDRESS)
    client.post(reverse("checkout:shipping-method"), {"method_code": "delivery"})
    client.post(reverse("checkout:preview"), {"action": "place_order"})
    attempt = PaymentAttempt.objects.get()
    other_device = Client()
    other_device.force_login(sam)
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    assert other_device.get(_return_url(attempt))["Location"] == reverse("checkout:thank-you")
