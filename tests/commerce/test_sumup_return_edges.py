"""SumUp's return URL, as a careless or malicious shopper uses it: a forged status or another checkout's
id in its query changes nothing (only SumUp's API says what was paid), and a shopper who signed out or
lost their session while paying is not left with a payment and no word of their order."""

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from commerce.models import PaymentAttempt
from tests.factories import events as f
from tests.factories.commerce import ADDRESS, country_gb, guest_checkout_to_sumup, stocked_product
from tests.security.money_support import webhook_post

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db


def _return_url(attempt) -> str:
    return reverse("commerce:sumup-return", args=[attempt.public_id])


def _signed_in_checkout(client, user) -> PaymentAttempt:
    country_gb()
    client.force_login(user)
    client.post(reverse("basket:add", args=[stocked_product().pk]), {"quantity": 1})
    client.get(reverse("checkout:index"))
    client.post(reverse("checkout:shipping-address"), ADDRESS)
    client.post(reverse("checkout:shipping-method"), {"method_code": "delivery"})
    client.post(reverse("checkout:preview"), {"action": "place_order"})
    return PaymentAttempt.objects.get(user=user)


def test_forged_paid_status_and_another_shoppers_checkout_in_the_query_place_nothing(client, fake_sumup):
    honey = stocked_product(num_in_stock=2)
    guest_checkout_to_sumup(client, [(honey, 1)])
    ada = PaymentAttempt.objects.get()
    guest_checkout_to_sumup(Client(), [(honey, 1)], email="bob@example.org")
    bob = PaymentAttempt.objects.exclude(pk=ada.pk).get()
    fake_sumup.settle(bob.sumup_checkout_id, "pay", webhook="none")  # Bob paid; Ada did not

    forged = f"?checkout_id={bob.sumup_checkout_id}&status=PAID&transaction_code=TFORGED"
    response = client.get(_return_url(ada) + forged)

    assert response["Location"] == reverse("basket:summary")
    ada.refresh_from_db()
    assert ada.state == "cancelled" and ada.paid_amount is None and not Order.objects.exists()
    assert fake_sumup.checkouts[ada.sumup_checkout_id]["status"] == "EXPIRED"  # closed, cannot be paid now
    assert PaymentAttempt.objects.get(pk=bob.pk).state == "pending"  # Bob's payment is his own to settle
    assert honey.stockrecords.get().num_allocated == 1
    # Ada replaying her return with his id still places nothing.
    assert client.get(_return_url(ada) + forged)["Location"] == reverse("basket:summary")
    assert Order.objects.count() == 0


def test_shopper_signed_out_while_paying_signs_in_again_and_gets_the_order(client, fake_sumup):
    sam = f.user("sam@example.org")
    attempt = _signed_in_checkout(client, sam)
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    client.logout()  # in another tab, while at SumUp's page

    response = client.get(_return_url(attempt))

    assert response.status_code == 302
    assert response["Location"].startswith(settings.LOGIN_URL) and "next=" in response["Location"]
    assert PaymentAttempt.objects.get().state == "pending"  # nothing acted on before they sign in
    client.force_login(sam)
    assert client.get(_return_url(attempt))["Location"] == reverse("checkout:thank-you")
    assert Order.objects.get(number=attempt.order_number).user == sam


def test_guest_whose_session_was_lost_is_told_the_payment_is_not_lost(
    client, fake_sumup, django_capture_on_commit_callbacks
):
    guest_checkout_to_sumup(client, [(stocked_product(), 1)])
    attempt = PaymentAttempt.objects.get()
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")

    page = Client().get(_return_url(attempt))  # the browser kept no session cookie

    text = page.content.decode()
    assert page.status_code == 404 and ADDRESS["line1"] not in text
    assert "emailed to you" in text and "refunded" in text
    assert PaymentAttempt.objects.get().state == "pending"  # nothing acted on by that visit
    # SumUp's webhook settles the payment without the shopper's browser, and they are emailed.
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204
    order = Order.objects.get(number=attempt.order_number)
    assert [email.to for email in mail.outbox] == [["ada@example.org"]]
    assert order.number in mail.outbox[0].body


def test_payment_landing_while_the_return_closes_the_checkout_places_the_order(client, fake_sumup):
    guest_checkout_to_sumup(client, [(stocked_product(), 1)])
    attempt = PaymentAttempt.objects.get()
    checkout_path = f"/v0.1/checkouts/{attempt.sumup_checkout_id}"

    def pay_just_before_closing(method: str, path: str) -> None:
        # The shopper came back (say with the back button) as their payment, in another tab, went
        # through: SumUp read it PENDING, then it was paid before our request to close it arrived.
        if (method, path) == ("DELETE", checkout_path):
            fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")

    fake_sumup.request_hooks.append(pay_just_before_closing)

    response = client.get(_return_url(attempt))

    assert fake_sumup.hook_errors == []
    assert response["Location"] == reverse("checkout:thank-you")
    attempt.refresh_from_db()
    assert attempt.state == "placed" and Order.objects.filter(number=attempt.order_number).count() == 1
    assert not fake_sumup.refunds
