"""Paid after we closed it: SumUp says PAID for an attempt resting in a nothing-paid state (expired,
cancelled, declined, start_failed). The money goes back (a PaymentRefund keyed before SumUp is asked),
the shopper is emailed, staff see it; no order is placed, however often the news arrives."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from commerce.models import PaymentAttempt, PaymentRefund
from commerce.payments import EXPIRY_GRACE, payment_release, unplaced_refund_key
from durable import runner
from social.models import Flow
from tests.factories.commerce import guest_checkout_to_sumup, stocked_product
from tests.security.money_support import webhook_post
from tests.security.outbound_guard import outbound_guard_fixture  # noqa: F401

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db


def _pay_late(fake, checkout_id: str) -> None:
    """SumUp accepts a payment on a checkout we had already read as closed (a slow 3-D Secure
    confirmation, a card retried on SumUp's page): it reads PAID from now on."""
    with fake._lock:
        fake.checkouts[checkout_id].update(status="PENDING", valid_until=None)
    assert fake.settle(checkout_id, "pay", webhook="none")


def _refunded_once_and_told(fake, attempt: PaymentAttempt) -> None:
    attempt.refresh_from_db()
    assert attempt.state == "refunded" and attempt.needs_attention and attempt.order_id is None
    assert "after the checkout had closed" in attempt.note
    [refund] = fake.refunds
    assert refund["transaction_id"] == attempt.transaction_id
    assert Decimal(str(refund["amount"])) == attempt.amount == attempt.paid_amount
    assert PaymentRefund.objects.get().key == unplaced_refund_key(attempt)
    assert not Order.objects.filter(number=attempt.order_number).exists()
    [email] = mail.outbox
    assert email.to == ["ada@example.org"] and "refunded" in email.subject
    assert attempt.order_number in email.body and str(attempt.amount) in email.body
    # The flow log shows the settlement that decided it, never reaching the order's placement.
    flow = Flow.objects.get(behavior="payment_settlement", object_key=f"payment:{attempt.pk}")
    assert (flow.event, flow.path) == ("paid_late", ["validate", "route", "refund", "tell"])


def test_payment_accepted_after_expiry_is_refunded_emailed_and_shown_to_staff(
    client, admin_client, fake_sumup, django_capture_on_commit_callbacks
):
    honey = stocked_product(num_in_stock=2)
    guest_checkout_to_sumup(client, [(honey, 1)])
    attempt = PaymentAttempt.objects.get()
    past = timezone.now() - timedelta(minutes=10)
    PaymentAttempt.objects.filter(pk=attempt.pk).update(valid_until=past, due_at=past + EXPIRY_GRACE)
    fake_sumup.checkouts[attempt.sumup_checkout_id]["valid_until"] = past.isoformat()
    assert runner.run_due(PaymentAttempt) == {"expired": 1}
    _pay_late(fake_sumup, attempt.sumup_checkout_id)

    # SumUp cannot be asked at first: the webhook is refused so SumUp sends it again; nothing moves.
    fake_sumup.checkout_failures = 1
    assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 503
    assert PaymentAttempt.objects.get().state == "expired" and not PaymentRefund.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204

    _refunded_once_and_told(fake_sumup, attempt)
    assert honey.stockrecords.get().num_allocated == 0  # released at expiry, not taken again
    # SumUp repeats its news: nothing more is refunded or sent.
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204
    assert len(fake_sumup.refunds) == 1 and len(mail.outbox) == 1
    page = admin_client.get(reverse("commerce:payment-attention")).content.decode()
    assert attempt.checkout_reference in page and "after the checkout had closed" in page


@pytest.mark.parametrize("closed_by", ["cancelled", "declined"])
def test_shopper_returning_to_a_closed_checkout_paid_meanwhile_is_refunded_and_told(
    client, fake_sumup, django_capture_on_commit_callbacks, closed_by
):
    guest_checkout_to_sumup(client, [(stocked_product(), 1)])
    attempt = PaymentAttempt.objects.get()
    return_url = reverse("commerce:sumup-return", args=[attempt.public_id])
    if closed_by == "declined":
        fake_sumup.settle(attempt.sumup_checkout_id, "decline", webhook="none")
    client.get(return_url)  # cancelled: left SumUp's page unpaid (the checkout is closed at SumUp)
    assert PaymentAttempt.objects.get().state == closed_by
    _pay_late(fake_sumup, attempt.sumup_checkout_id)

    with django_capture_on_commit_callbacks(execute=True):
        page = client.get(return_url, follow=True)  # the shopper comes back again, or reloads

    assert "refunded in full" in page.content.decode()
    _refunded_once_and_told(fake_sumup, attempt)
    client.get(return_url)
    assert len(fake_sumup.refunds) == 1


def test_checkout_whose_creation_answer_was_lost_is_found_at_sumup_and_refunded(
    client, fake_sumup, django_capture_on_commit_callbacks
):
    guest_checkout_to_sumup(client, [(stocked_product(), 1)])
    attempt = PaymentAttempt.objects.get()
    checkout_id = attempt.sumup_checkout_id
    # As if SumUp made the checkout but its answer never reached us: no id recorded, nothing held.
    PaymentAttempt.objects.filter(pk=attempt.pk).update(sumup_checkout_id=None)
    payment_release(attempt)
    attempt.transition("start_failed")
    fake_sumup.settle(checkout_id, "pay", webhook="none")

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_post(fake_sumup, checkout_id).status_code == 204

    attempt.refresh_from_db()
    assert attempt.sumup_checkout_id == checkout_id  # SumUp, asked, named this attempt's reference
    _refunded_once_and_told(fake_sumup, attempt)


@pytest.mark.django_db(transaction=True)
def test_late_payment_asks_sumup_refunds_and_emails_outside_any_transaction(fake_sumup, outbound_guard):
    from django.test import Client

    client = Client()
    guest_checkout_to_sumup(client, [(stocked_product(), 1)])
    attempt = PaymentAttempt.objects.get()
    client.get(reverse("commerce:sumup-return", args=[attempt.public_id]))  # cancelled
    _pay_late(fake_sumup, attempt.sumup_checkout_id)
    outbound_guard.clear()

    assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204

    _refunded_once_and_told(fake_sumup, attempt)
    outbound_guard.assert_clean("connect", "mail")
