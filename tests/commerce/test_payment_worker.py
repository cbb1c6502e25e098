"""SumUp answering 503 or too late while a real Celery worker settles a payment and sends a refund:
after SumUp recovers, the durable sweep leaves one order and one refund, never two."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from oscar.test.factories import create_order, create_voucher

from commerce.models import PaymentAttempt, PaymentRefund
from tests.factories.commerce import guest_checkout_to_sumup, stocked_product
from tests.security.money_support import webhook_post
from tests.workers import Worker, celery_on_broker, own_redis_url

BROKER = own_redis_url(14)  # a database of this test process's own redis-server
Order = get_model("order", "Order")
Voucher = get_model("voucher", "Voucher")
VoucherApplication = get_model("voucher", "VoucherApplication")

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(fake_sumup, tmp_path):
    with celery_on_broker(BROKER):
        started = Worker(
            "payments",
            tmp_path / "worker.log",
            BROKER,
            "config.settings.test",
            SUMUP_API_URL=fake_sumup.url,
            SUMUP_API_KEY="sup_sk_test",
            SUMUP_MERCHANT_CODE="MTEST001",
            SUMUP_WEBHOOK_SECRET="whsec-test",
            SUMUP_TIMEOUT="1",  # the fake's slow answers take 2 s: the worker gives up waiting
        )
        try:
            yield started
        finally:
            started.kill()


def _sweep_as_time_passes() -> None:
    """What beat's sweeps do over an outage, without the waiting: every payment or refund resting
    until its next try is made due now, then `durable.sweep` is sent to the worker."""
    from durable.tasks import sweep

    now = timezone.now()
    for model in (PaymentAttempt, PaymentRefund):
        worked = [state.name for state in model.state_graph.worked]
        model.objects.filter(state__in=worked, due_at__gt=now, locked_until__isnull=True).update(
            due_at=now - timedelta(seconds=1)
        )
    sweep.delay()


def test_sumup_failing_during_settlement_and_refund_worker_leaves_one_order_and_one_refund(
    fake_sumup, worker
):
    fake_sumup.send_webhooks = False  # the webhooks are posted by hand below, at the worst moments
    # Ada paid; her order can be placed. Bob paid, but his single-use voucher was used meanwhile.
    guest_checkout_to_sumup(Client(), [(stocked_product(num_in_stock=3), 1)])
    ada = PaymentAttempt.objects.get()
    voucher = create_voucher(code="ONCE", usage=Voucher.SINGLE_USE)
    bob_client = Client()
    bob_client.post(reverse("basket:add", args=[stocked_product(title="Leeks").pk]), {"quantity": 1})
    bob_client.post(reverse("basket:vouchers-add"), {"code": voucher.code})
    guest_checkout_to_sumup(bob_client, [], email="bob@example.org")
    bob = PaymentAttempt.objects.exclude(pk=ada.pk).get()
    VoucherApplication.objects.create(voucher=voucher, order=create_order())
    for attempt in (ada, bob):
        fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    # SumUp's faults, in order: Bob's refund answers 503 and Ada's checkout read answers 503 when their
    # webhooks arrive; then, for the worker, Ada's read and Bob's refund are answered too late (the
    # refund is made, but the worker has given up waiting); then SumUp answers again.
    fake_sumup.refund_failures = 1
    assert webhook_post(fake_sumup, bob.sumup_checkout_id).status_code == 204  # refund: 503
    fake_sumup.checkout_failures = 1
    assert webhook_post(fake_sumup, ada.sumup_checkout_id).status_code == 204  # 503: retried later
    fake_sumup.checkout_slow, fake_sumup.refund_slow, fake_sumup.slow_seconds = 1, 1, 2.0
    assert (PaymentAttempt.objects.get(pk=ada.pk).state, PaymentAttempt.objects.get(pk=bob.pk).state) == (
        "pending",
        "refunding",
    )
    assert not Order.objects.filter(number__in=[ada.order_number, bob.order_number]).exists()

    def settled():
        states = dict(PaymentAttempt.objects.values_list("pk", "state"))
        if (states[ada.pk], states[bob.pk]) == ("placed", "refunded"):
            return True
        _sweep_as_time_passes()
        time.sleep(1.0)
        return False

    worker.wait_for(settled, 120, "Ada's order and Bob's refund after SumUp recovers")
    # SumUp's webhooks arrive again after the recovery: nothing more happens.
    webhook_post(fake_sumup, ada.sumup_checkout_id)
    webhook_post(fake_sumup, bob.sumup_checkout_id)

    assert Order.objects.filter(number=ada.order_number).count() == 1
    assert not Order.objects.filter(number=bob.order_number).exists()
    [refund] = PaymentRefund.objects.all()
    assert refund.state == "sent" and len(fake_sumup.refunds) == 1
    assert fake_sumup.refund_calls == {refund.key: 3}  # asked again twice, under the same key
    assert fake_sumup.checkout_slow == fake_sumup.refund_slow == 0  # every fault was met
    assert fake_sumup.refunds[0]["transaction_id"] == PaymentAttempt.objects.get(pk=bob.pk).transaction_id
