"""SumUp down (503), too slow (the client times out), dripping its answer a byte at a time or answering
megabytes, during settlement and during a refund: each call gives up within SUMUP_TIMEOUT, and after
recovery there is one order and one refund, however many times we asked."""

import time

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_order, create_voucher

from commerce.models import PaymentAttempt, PaymentRefund
from durable import runner
from tests.factories.commerce import guest_checkout_to_sumup, stocked_product
from tests.security.money_support import sweep_until_rested, webhook_post

Order = get_model("order", "Order")
Voucher = get_model("voucher", "Voucher")
VoucherApplication = get_model("voucher", "VoucherApplication")

pytestmark = pytest.mark.django_db


def _paid(client, fake_sumup) -> PaymentAttempt:
    guest_checkout_to_sumup(client, [(stocked_product(num_in_stock=3), 1)])
    attempt = PaymentAttempt.objects.get()
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")  # paid; we have not heard yet
    return attempt


def _return(client, attempt):
    return client.get(reverse("commerce:sumup-return", args=[attempt.public_id]))


FAULTS = ["503", "timeout", "drip", "huge"]


def _fault_once(fake_sumup, call: str, fault: str) -> None:
    """The next `call` ("checkout" read or "refund") at the fake SumUp meets `fault`."""
    if fault == "503":
        setattr(fake_sumup, f"{call}_failures", 1 if call == "checkout" else 2)
    elif fault == "timeout":
        setattr(fake_sumup, f"{call}_slow", 1)
        fake_sumup.slow_seconds = 1.5
    else:  # "drip": a byte every 50 ms, no read waits long, the whole answer takes ~20 s; "huge": 5 MB
        setattr(fake_sumup, f"{call}_{fault}", 1)


@pytest.mark.parametrize("fault", FAULTS)
def test_settlement_while_sumup_fails_places_one_order_after_recovery(client, fake_sumup, settings, fault):
    client.raise_request_exception = False  # a 500 is an answer the shopper may see; count orders
    attempt = _paid(client, fake_sumup)
    settings.SUMUP_TIMEOUT = 0.5
    _fault_once(fake_sumup, "checkout", fault)

    started = time.monotonic()
    page = _return(client, attempt)  # the shopper comes back while SumUp cannot answer
    assert time.monotonic() - started < 5  # one call, cut at SUMUP_TIMEOUT however the answer trickles
    assert page.status_code == 202 and b"Confirming your payment" in page.content
    assert not Order.objects.exists()
    # Still asking SumUp (the runner retries): not cancelled, not given up, the stock still held.
    stalled = PaymentAttempt.objects.get()
    assert stalled.state == "returned" and stalled.reserved_stock and stalled.due_at is not None

    # Recovery: the shopper reloads, SumUp's webhook arrives, the sweep runs; in any order, twice.
    _return(client, attempt)
    webhook_post(fake_sumup, attempt.sumup_checkout_id)
    runner.run_due()
    _return(client, attempt)
    webhook_post(fake_sumup, attempt.sumup_checkout_id)
    assert Order.objects.count() == 1
    assert PaymentAttempt.objects.get().order_id == Order.objects.get().pk
    assert PaymentAttempt.objects.get().state == "placed"


@pytest.mark.parametrize("fault", FAULTS)
def test_refund_while_sumup_fails_refunds_once_after_recovery(client, fake_sumup, settings, fault):
    # A paid checkout that cannot become an order (its single-use voucher was used meanwhile) is refunded.
    honey = stocked_product(num_in_stock=3)
    voucher = create_voucher(code="ONCE", usage=Voucher.SINGLE_USE)
    client.post(reverse("basket:add", args=[honey.pk]), {"quantity": 1})
    client.post(reverse("basket:vouchers-add"), {"code": voucher.code})
    guest_checkout_to_sumup(client, [], email="ada@example.org")
    attempt = PaymentAttempt.objects.get()
    VoucherApplication.objects.create(voucher=voucher, order=create_order())
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    settings.SUMUP_TIMEOUT = 0.5
    # Except on a 503, SumUp refunds, but its answer is late, endless or too large to read.
    _fault_once(fake_sumup, "refund", fault)

    started = time.monotonic()
    assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204
    assert time.monotonic() - started < 5
    assert PaymentAttempt.objects.get().state == "refunding"  # owed, visible, and retried by the runner
    webhook_post(fake_sumup, attempt.sumup_checkout_id)  # SumUp repeats its webhook
    sweep_until_rested()  # beat's sweeps while SumUp recovers

    refund = PaymentRefund.objects.get()
    assert refund.state == "sent"
    assert PaymentAttempt.objects.get().state == "refunded"
    assert len(fake_sumup.refunds) == 1  # one refund at SumUp
    assert fake_sumup.refund_calls == {refund.key: 3 if fault == "503" else 2}  # asked again, same key


def test_settlement_sumup_never_answers_runner_gives_up_and_flags_for_staff(client, fake_sumup):
    attempt = _paid(client, fake_sumup)
    fake_sumup.checkout_failures = 100  # SumUp down for longer than the policy's hours of tries

    webhook_post(fake_sumup, attempt.sumup_checkout_id)
    sweep_until_rested()

    attempt.refresh_from_db()
    assert attempt.state == "flagged" and attempt.needs_attention
    assert "could not be settled automatically" in attempt.note and "503" in attempt.note
    # Paid or not is unknown: the stock stays held and nothing is refunded until staff decide.
    assert attempt.reserved_stock and not fake_sumup.refunds and not Order.objects.exists()
    assert 100 - fake_sumup.checkout_failures == PaymentAttempt.state_graph.pending.retry.max_attempts
