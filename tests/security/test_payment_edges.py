"""Paid but no order: placement that fails after SumUp says PAID refunds once, flags, and answers 2xx."""

import functools
import json
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_order, create_voucher

from commerce.models import PaymentAttempt, PaymentRefund
from durable import runner
from events.models import Booking
from tests.concurrency import at_once
from tests.factories import events as f
from tests.factories.commerce import guest_checkout_to_sumup, stocked_product
from tests.security.money_support import sweep_until_rested, tickets_to_sumup, webhook_post

Order = get_model("order", "Order")
Voucher = get_model("voucher", "Voucher")
VoucherApplication = get_model("voucher", "VoucherApplication")
LineAttribute = get_model("basket", "LineAttribute")

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.security.money_fixtures"]  # its fixtures: workshop, sam, ...


def _voucher_checkout(client, product, voucher, email="ada@example.org"):
    client.post(reverse("basket:add", args=[product.pk]), {"quantity": 1})
    client.post(reverse("basket:vouchers-add"), {"code": voucher.code})
    return guest_checkout_to_sumup(client, [], email=email)


def test_paid_checkout_whose_single_use_voucher_was_used_meanwhile_is_refunded_and_flagged(
    client, fake_sumup, django_capture_on_commit_callbacks
):
    honey = stocked_product(num_in_stock=3)
    voucher = create_voucher(code="ONCE", usage=Voucher.SINGLE_USE)
    _voucher_checkout(client, honey, voucher)
    attempt = PaymentAttempt.objects.get()
    # Used by an order placed while the shopper was at SumUp.
    VoucherApplication.objects.create(voucher=voucher, order=create_order())
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")

    with django_capture_on_commit_callbacks(execute=True):
        response = webhook_post(fake_sumup, attempt.sumup_checkout_id)

    assert response.status_code == 204
    attempt.refresh_from_db()
    assert attempt.state == "refunded" and attempt.needs_attention
    assert "ONCE" in attempt.note and attempt.order is None
    [refund] = fake_sumup.refunds
    assert (
        refund["transaction_id"] == attempt.transaction_id
        and Decimal(str(refund["amount"])) == attempt.amount
    )
    assert not Order.objects.filter(number=attempt.order_number).exists()
    assert honey.stockrecords.get().num_allocated == 0
    # A second delivery of the same news refunds nothing more.
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204
    assert len(fake_sumup.refunds) == 1


def test_paid_ticket_line_with_malformed_occurrence_is_refunded_and_return_says_so(
    client, workshop, sam, fake_sumup, django_capture_on_commit_callbacks
):
    ticket_type = f.ticket_type(workshop, quota=3, price="25.00")
    client.force_login(sam)
    attempt = tickets_to_sumup(client, workshop, ticket_type)
    LineAttribute.objects.filter(line__basket_id=attempt.basket_id).update(value="next tuesday")
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")

    with django_capture_on_commit_callbacks(execute=True):
        response = webhook_post(fake_sumup, attempt.sumup_checkout_id)

    assert response.status_code == 204
    attempt.refresh_from_db()
    assert attempt.state == "refunded" and attempt.needs_attention
    assert "date" in attempt.note
    assert len(fake_sumup.refunds) == 1 and not Booking.objects.exists()
    page = client.get(reverse("commerce:sumup-return", args=[attempt.public_id]), follow=True)
    assert "refunded in full" in page.content.decode()


def test_voucher_in_another_open_checkout_refused_before_sumup(client, fake_sumup):
    honey = stocked_product(num_in_stock=5)
    voucher = create_voucher(code="ONCE", usage=Voucher.SINGLE_USE)
    _voucher_checkout(client, honey, voucher)
    second = _voucher_checkout(Client(), honey, voucher, email="bob@example.org")
    assert second["Location"] == reverse("basket:summary")
    assert PaymentAttempt.objects.count() == 1 and len(fake_sumup.checkouts) == 1


def test_ticket_quota_checked_before_sumup(client, workshop, sam, fake_sumup):
    ticket_type = f.ticket_type(workshop, quota=2, price="25.00")
    client.force_login(sam)
    client.post(
        f"/events/o/{workshop.pk}/{int(workshop.start.timestamp())}/basket/", {"ticket_type": ticket_type.pk}
    )
    # The line grows past the quota behind the forms' back (an old basket, a merge at login).
    get_model("basket", "Line").objects.update(quantity=5)
    client.get(reverse("checkout:index"), follow=True)
    response = client.post(reverse("checkout:preview"), {"action": "place_order"})
    assert not PaymentAttempt.objects.exists() and not fake_sumup.checkouts
    assert "checkout" in response["Location"] or response["Location"] == reverse("basket:summary")


def _unplaceable_paid_attempt(client, fake_sumup):
    honey = stocked_product(num_in_stock=3)
    voucher = create_voucher(code="ONCE", usage=Voucher.SINGLE_USE)
    _voucher_checkout(client, honey, voucher)
    attempt = PaymentAttempt.objects.get()
    VoucherApplication.objects.create(voucher=voucher, order=create_order())
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    return attempt


def test_refund_survives_sumup_503_by_retrying(client, fake_sumup):
    attempt = _unplaceable_paid_attempt(client, fake_sumup)
    fake_sumup.refund_failures = 2
    assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204
    refund = PaymentRefund.objects.get()
    assert refund.state == "owed" and "503" in refund.last_error and refund.due_at is not None
    sweep_until_rested()
    attempt.refresh_from_db()
    assert attempt.state == "refunded"
    refund.refresh_from_db()
    assert refund.state == "sent" and fake_sumup.refund_calls == {refund.key: 3}
    assert len(fake_sumup.refunds) == 1


def test_refund_failing_for_good_flags_attempt_for_staff(client, fake_sumup):
    attempt = _unplaceable_paid_attempt(client, fake_sumup)
    fake_sumup.refund_failures = 100
    assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204
    sweep_until_rested()
    attempt.refresh_from_db()
    assert attempt.state == "flagged" and attempt.needs_attention
    assert "refund" in attempt.note and "failed" in attempt.note and "503" in attempt.note
    refund = PaymentRefund.objects.get()
    assert refund.state == "failed" and "503" in refund.error
    # Every try reached SumUp; the tries are bounded by the refund graph's policy.
    assert fake_sumup.refund_calls == {refund.key: PaymentRefund.state_graph.owed.retry.max_attempts}
    assert not fake_sumup.refunds


def test_refund_sent_once_by_duplicate_senders_and_after_a_lost_answer(client, fake_sumup):
    attempt = _unplaceable_paid_attempt(client, fake_sumup)
    # Two deliveries of the paid news (different event ids): one refund owed, recorded once.
    webhook_post(fake_sumup, attempt.sumup_checkout_id)
    webhook_post(fake_sumup, attempt.sumup_checkout_id)
    refund = PaymentRefund.objects.get()
    assert refund.state == "sent"
    assert runner.advance(PaymentRefund, refund.pk) == "sent"  # a duplicate task finds it sent
    assert len(fake_sumup.refunds) == 1
    # A worker that died after SumUp refunded but before anything was recorded (its lease ran out):
    # the sweep's resend under the same key is answered with the same refund.
    PaymentRefund.objects.filter(pk=refund.pk).update(state="owed", sent_at=None, sumup_refund_id="")
    assert runner.run_due(PaymentRefund) == {"sent": 1}
    assert len(fake_sumup.refunds) == 1 and fake_sumup.refund_calls == {refund.key: 2}
    refund.refresh_from_db()
    assert refund.state == "sent" and refund.sumup_refund_id == fake_sumup.refunds[0]["id"]


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="concurrent deliveries need PostgreSQL's row locks")
@pytest.mark.django_db(transaction=True)
def test_concurrent_webhook_deliveries_refund_once(live_server, fake_sumup):
    import httpx

    attempt = _unplaceable_paid_attempt(Client(), fake_sumup)
    url = live_server.url + reverse("commerce:sumup-webhook")
    bodies = [
        json.dumps(
            {
                "id": f"evt_{n}",
                "type": "checkouts.paid",
                "created_at": "2026-01-01T00:00:00Z",
                "object": {"id": attempt.sumup_checkout_id, "type": "checkout", "url": fake_sumup.url},
            }
        ).encode()
        for n in range(2)
    ]

    def deliver(body: bytes) -> int:
        headers = {"Content-Type": "application/json", "X-SumUp-Webhook-Signature": fake_sumup.sign(body)}
        return httpx.post(url, content=body, headers=headers, timeout=30).status_code

    # Each delivery twice at once (a replay racing its original), two different events for one payment.
    statuses = at_once(*[functools.partial(deliver, body) for body in bodies * 2])

    assert statuses == [204] * 4
    assert len(fake_sumup.refunds) == 1
    assert PaymentAttempt.objects.get().state == "refunded"


def test_staff_see_payments_without_an_order_with_the_reason(client, admin_client, fake_sumup):
    attempt = _unplaceable_paid_attempt(client, fake_sumup)
    fake_sumup.refund_failures = 100
    webhook_post(fake_sumup, attempt.sumup_checkout_id)
    sweep_until_rested()
    url = reverse("commerce:payment-attention")

    page = admin_client.get(url).content.decode()

    assert attempt.checkout_reference in page and "ONCE" in page and "Gave up" in page
    assert Client().get(url).status_code in (302, 403)
    admin_client.post(url, {"attempt": attempt.pk})
    assert attempt.checkout_reference not in admin_client.get(url).content.decode()


def _committed_when_sumup_is_called(fake, method, path_part, read):
    """Record `read()` as another connection sees it each time SumUp gets such a request."""
    from django.db import connection

    seen = []

    def hook(request_method, path):
        if request_method == method and path_part in path:
            try:
                seen.append(read())
            finally:
                connection.close()  # this server thread's own connection

    fake.request_hooks.append(hook)
    return seen


@pytest.mark.django_db(transaction=True)
def test_checkout_is_committed_before_sumup_is_called(fake_sumup):
    honey = stocked_product(num_in_stock=2)
    seen = _committed_when_sumup_is_called(
        fake_sumup,
        "POST",
        "/v0.1/checkouts",
        lambda: (PaymentAttempt.objects.count(), honey.stockrecords.get().num_allocated),
    )
    guest_checkout_to_sumup(Client(), [(honey, 1)])
    assert seen == [(1, 1)] and not fake_sumup.hook_errors


@pytest.mark.django_db(transaction=True)
def test_refund_owed_is_committed_before_sumup_is_called(fake_sumup):
    seen = _committed_when_sumup_is_called(
        fake_sumup,
        "POST",
        "/refunds",
        lambda: list(PaymentRefund.objects.values_list("state", "attempt__state")),
    )
    attempt = _unplaceable_paid_attempt(Client(), fake_sumup)
    assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204
    assert seen == [[("owed", "refunding")]]
    assert not fake_sumup.hook_errors and len(fake_sumup.refunds) == 1


@pytest.mark.django_db(transaction=True)
def test_cancelled_ticket_refund_is_sent_outside_any_lock(workshop, organiser, sam, fake_sumup):
    from events import cancellation

    ticket_type = f.ticket_type(workshop, quota=3, price="25.00")
    client = Client()
    client.force_login(sam)
    attempt = tickets_to_sumup(client, workshop, ticket_type)
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    client.get(reverse("commerce:sumup-return", args=[attempt.public_id]))
    [booking] = Booking.objects.all()
    seen = _committed_when_sumup_is_called(
        fake_sumup,
        "POST",
        "/refunds",
        lambda: (
            list(PaymentRefund.objects.values_list("key", "state")),
            Booking.objects.get().state,
        ),
    )

    cancellation.event_cancel(event=workshop, by_user=organiser)

    assert seen == [([(f"ticket-{booking.code}", "owed")], "cancelled")]
    booking.refresh_from_db()
    assert booking.refunded_at is not None and len(fake_sumup.refunds) == 1
