"""What a payment holds (the last ticket place, a single-use voucher) stays held while SumUp's answer
is late, past the checkout's validity: a second shopper is refused before paying, never charged for an
order that can no longer be placed, and the first shopper, who paid in time, gets the order."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import create_voucher

from commerce.models import PaymentAttempt
from events.models import Booking
from tests.factories import events as f
from tests.factories.commerce import guest_checkout_to_sumup, stocked_product
from tests.security.money_support import sweep_until_rested, ticket_url, tickets_to_sumup, webhook_post

Line = get_model("basket", "Line")
Order = get_model("order", "Order")
Voucher = get_model("voucher", "Voucher")

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.security.money_fixtures"]


def _paid_while_sumup_is_down(fake_sumup, attempt: PaymentAttempt) -> None:
    """Paid in time at SumUp, but SumUp answers 503 when its webhook makes us ask, and the checkout's
    validity passes before the runner asks again."""
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    fake_sumup.checkout_failures = 1
    assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204
    assert PaymentAttempt.objects.get(pk=attempt.pk).state == "pending"
    PaymentAttempt.objects.filter(pk=attempt.pk).update(valid_until=timezone.now() - timedelta(seconds=1))


def test_last_place_paid_for_stays_held_while_sumup_answers_late(
    workshop, sam, olga, fake_sumup, django_capture_on_commit_callbacks
):
    ticket_type = f.ticket_type(workshop, quota=1, price="10.00")
    olga_client = Client()
    olga_client.force_login(olga)
    attempt = tickets_to_sumup(olga_client, workshop, ticket_type)
    _paid_while_sumup_is_down(fake_sumup, attempt)

    sam_client = Client()
    sam_client.force_login(sam)
    response = sam_client.post(
        ticket_url(workshop, workshop.start), {"ticket_type": ticket_type.pk, "quantity": 1}, follow=True
    )

    assert "Not enough places left" in response.content.decode()
    assert not Line.objects.filter(basket__owner=sam).exists()
    with django_capture_on_commit_callbacks(execute=True):
        sweep_until_rested()
    attempt.refresh_from_db()
    assert attempt.state == "placed" and not fake_sumup.refunds
    assert Booking.objects.filter(ticket_type=ticket_type, user=olga).count() == 1
    assert PaymentAttempt.objects.count() == 1  # Sam never went to pay


def test_single_use_voucher_paid_with_stays_held_while_sumup_answers_late(client, fake_sumup):
    voucher = create_voucher(code="ONCE", usage=Voucher.SINGLE_USE)
    client.post(reverse("basket:add", args=[stocked_product(num_in_stock=3).pk]), {"quantity": 1})
    client.post(reverse("basket:vouchers-add"), {"code": voucher.code})
    guest_checkout_to_sumup(client, [])
    attempt = PaymentAttempt.objects.get()
    _paid_while_sumup_is_down(fake_sumup, attempt)

    bob = Client()
    bob.post(reverse("basket:add", args=[stocked_product(title="Leeks").pk]), {"quantity": 1})
    bob.post(reverse("basket:vouchers-add"), {"code": voucher.code})
    response = guest_checkout_to_sumup(bob, [], email="bob@example.org")

    assert response["Location"] == reverse("basket:summary")
    assert "being used in another checkout" in bob.get(response["Location"]).content.decode()
    assert PaymentAttempt.objects.count() == 1  # Bob never went to pay
    sweep_until_rested()
    attempt.refresh_from_db()
    assert attempt.state == "placed" and not fake_sumup.refunds
    assert Order.objects.get().basket_discounts.get().voucher_code == "ONCE"
