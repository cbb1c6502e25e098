"""Abandoned checkouts: SumUp is told how long a checkout is valid; past that, the durable sweep closes
it and releases its stock."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commerce.models import PaymentAttempt
from commerce.payments import EXPIRY_GRACE
from durable import runner
from tests.factories.commerce import guest_checkout_to_sumup, stocked_product

pytestmark = pytest.mark.django_db


def _abandon(fake_sumup, attempt, minutes_ago=10):
    """Let the attempt's validity run out, at SumUp and here, as time passing would."""
    past = timezone.now() - timedelta(minutes=minutes_ago)
    # Its runner row falls due when the validity and its grace have run out.
    PaymentAttempt.objects.filter(pk=attempt.pk).update(valid_until=past, due_at=past + EXPIRY_GRACE)
    fake_sumup.checkouts[attempt.sumup_checkout_id]["valid_until"] = past.isoformat()


def test_checkout_is_created_at_sumup_with_a_validity(client, fake_sumup, settings):
    settings.SUMUP_CHECKOUT_VALID_MINUTES = 20
    guest_checkout_to_sumup(client, [(stocked_product(), 1)])
    attempt = PaymentAttempt.objects.get()
    sent = datetime.fromisoformat(fake_sumup.checkouts[attempt.sumup_checkout_id]["valid_until"])
    assert abs(sent - attempt.valid_until) < timedelta(seconds=1)
    assert attempt.state == "pending" and attempt.due_at == attempt.valid_until + EXPIRY_GRACE
    assert timedelta(minutes=19) < attempt.valid_until - timezone.now() <= timedelta(minutes=20)


def test_abandoned_checkouts_release_the_last_units(fake_sumup):
    honey = stocked_product(num_in_stock=3)
    guests = [Client() for _ in range(3)]
    for n, guest in enumerate(guests):
        guest_checkout_to_sumup(guest, [(honey, 1)], email=f"guest{n}@example.org")
    record = honey.stockrecords.get()
    assert record.num_allocated == 3
    late = Client()
    assert guest_checkout_to_sumup(late, [(honey, 1)], email="late@example.org")["Location"] == reverse(
        "basket:summary"
    )
    attempts = list(PaymentAttempt.objects.filter(state="pending"))
    for attempt in attempts:
        _abandon(fake_sumup, attempt)

    assert runner.run_due(PaymentAttempt) == {"expired": 3}

    record.refresh_from_db()
    assert record.num_allocated == 0
    assert {a.state for a in PaymentAttempt.objects.filter(pk__in=[a.pk for a in attempts])} == {"expired"}
    # The expired checkouts cannot be paid any more, and the next shopper gets the jar.
    assert all(fake_sumup.settle(a.sumup_checkout_id, "pay", webhook="none") is None for a in attempts)
    response = guest_checkout_to_sumup(late, [(honey, 1)], email="late@example.org")
    assert response["Location"].startswith(fake_sumup.url)


def test_sweep_leaves_checkouts_still_valid(client, fake_sumup):
    honey = stocked_product(num_in_stock=2)
    guest_checkout_to_sumup(client, [(honey, 1)])
    assert runner.run_due(PaymentAttempt) == {}
    assert PaymentAttempt.objects.get().state == "pending"
    assert honey.stockrecords.get().num_allocated == 1


def test_shopper_returning_after_expiry_is_told_and_gets_the_basket_back(client, fake_sumup):
    honey = stocked_product(num_in_stock=2)
    guest_checkout_to_sumup(client, [(honey, 1)])
    attempt = PaymentAttempt.objects.get()
    _abandon(fake_sumup, attempt)
    runner.run_due(PaymentAttempt)

    page = client.get(reverse("commerce:sumup-return", args=[attempt.public_id]), follow=True)

    assert "expired" in page.content.decode()
    assert [line.product for line in page.context["basket"].all_lines()] == [honey]


def test_fake_sumup_expires_a_checkout_past_its_valid_until(client, fake_sumup):
    guest_checkout_to_sumup(client, [(stocked_product(), 1)])
    attempt = PaymentAttempt.objects.get()
    fake_sumup.checkouts[attempt.sumup_checkout_id]["valid_until"] = datetime(
        2020, 1, 1, tzinfo=UTC
    ).isoformat()
    assert fake_sumup.get_checkout(attempt.sumup_checkout_id)["status"] == "EXPIRED"
    assert fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none") is None
