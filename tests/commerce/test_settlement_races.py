"""Two requests at once: the shopper's return, SumUp's webhook and the sweep settling one payment place
one order; two shoppers going to pay for the last ticket place, or with one single-use voucher, at once
send one of them to SumUp: the other is refused before paying."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from commerce.models import PaymentAttempt
from durable import runner
from events.models import Booking
from tests.concurrency import at_once, raised
from tests.factories import events as f
from tests.factories.commerce import ADDRESS, country_gb, guest_checkout_to_sumup, stocked_product
from tests.security.money_support import ticket_url, webhook_post

Order = get_model("order", "Order")

pytestmark = [
    pytest.mark.skipif(
        not settings.USING_POSTGRES, reason="concurrent settlements need PostgreSQL's row locks"
    ),
    pytest.mark.django_db(transaction=True),
]


def test_return_webhook_and_sweep_at_once_place_one_order_and_send_one_email(fake_sumup):
    fake_sumup.send_webhooks = False
    shopper = Client()
    honey = stocked_product(num_in_stock=3)
    guest_checkout_to_sumup(shopper, [(honey, 1)])
    attempt = PaymentAttempt.objects.get()
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    # The sweep finds it due just as the webhook and the shopper arrive.
    PaymentAttempt.objects.filter(pk=attempt.pk).update(due_at=timezone.now() - timedelta(seconds=1))

    def come_back() -> str:
        return shopper.get(reverse("commerce:sumup-return", args=[attempt.public_id])).get("Location", "")

    def notify() -> int:
        return webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code

    answers = at_once(come_back, notify, lambda: runner.run_due(PaymentAttempt))

    assert raised(answers) == [], answers
    assert answers[:2] == [reverse("checkout:thank-you"), 204]
    attempt.refresh_from_db()
    assert attempt.state == "placed" and Order.objects.filter(number=attempt.order_number).count() == 1
    assert not fake_sumup.refunds and honey.stockrecords.get().num_allocated == 1
    assert [email.to for email in mail.outbox] == [["ada@example.org"]]  # one confirmation


def test_two_shoppers_paying_for_the_last_place_at_once_send_one_to_sumup(fake_sumup):
    fake_sumup.send_webhooks = False
    calendar = f.organiser_calendar("Otto's workshops", f.user("otto@example.org"))
    workshop = f.event(calendar, "Bread workshop", start=f.local(5, 10), end=f.local(5, 15))
    ticket_type = f.ticket_type(workshop, quota=1, price="10.00")
    shoppers = []
    for email in ("sam@example.org", "olga@example.org"):
        shopper = Client()
        shopper.force_login(f.user(email))
        shopper.post(ticket_url(workshop, workshop.start), {"ticket_type": ticket_type.pk, "quantity": 1})
        shopper.get(reverse("checkout:index"), follow=True)
        shoppers.append(shopper)

    def place_order(shopper) -> str:
        return shopper.post(reverse("checkout:preview"), {"action": "place_order"}).get("Location", "")

    answers = at_once(*(lambda shopper=shopper: place_order(shopper) for shopper in shoppers))

    assert raised(answers) == [], answers
    [attempt] = PaymentAttempt.objects.all()
    assert sorted(answers) == sorted([attempt.hosted_checkout_url, reverse("basket:summary")])
    assert len(fake_sumup.checkouts) == 1
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204
    assert Booking.objects.filter(ticket_type=ticket_type).count() == 1 and not fake_sumup.refunds


def test_two_shoppers_paying_with_one_single_use_voucher_at_once_send_one_to_sumup(fake_sumup):
    from oscar.test.factories import create_voucher

    fake_sumup.send_webhooks = False
    country_gb()
    voucher = create_voucher(code="ONCE", usage=get_model("voucher", "Voucher").SINGLE_USE)
    shoppers = []
    # Different products: their stock records' locks alone would not put the two checks in a row.
    for title, email in (("Honey", "ada@example.org"), ("Leeks", "bob@example.org")):
        shopper = Client()
        shopper.post(reverse("basket:add", args=[stocked_product(title=title).pk]), {"quantity": 1})
        shopper.post(reverse("basket:vouchers-add"), {"code": voucher.code})
        shopper.post(reverse("checkout:index"), {"username": email, "options": "anonymous"})
        shopper.post(reverse("checkout:shipping-address"), ADDRESS)
        shopper.post(reverse("checkout:shipping-method"), {"method_code": "collection-point"})
        shoppers.append(shopper)

    def place_order(shopper) -> str:
        return shopper.post(reverse("checkout:preview"), {"action": "place_order"}).get("Location", "")

    answers = at_once(*(lambda shopper=shopper: place_order(shopper) for shopper in shoppers))

    assert raised(answers) == [], answers
    [attempt] = PaymentAttempt.objects.all()
    assert sorted(answers) == sorted([attempt.hosted_checkout_url, reverse("basket:summary")])
