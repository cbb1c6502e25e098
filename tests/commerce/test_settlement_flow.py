"""A payment's settlement is a behavior in the flow log: its path, its picture and its payment's row
are there for staff, a payment that could not become an order as plainly as one that did, and a staff
retry of a failed settlement never places a second order."""

import pytest
from django.core import mail
from django.utils import timezone
from oscar.core.loading import get_model

from commerce.models import PaymentAttempt, PaymentRefund
from commerce.payments import settlement_object_key, settlement_payload
from durable import runner
from social import engine
from social.models import Flow, FlowEffect
from tests.factories.commerce import guest_checkout_to_sumup, stocked_product
from tests.security.money_support import webhook_post

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db


def _paid_at_sumup(client, fake_sumup, product) -> PaymentAttempt:
    guest_checkout_to_sumup(client, [(product, 1)])
    attempt = PaymentAttempt.objects.get()
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    return attempt


def _settlement(attempt: PaymentAttempt) -> Flow:
    return Flow.objects.get(behavior="payment_settlement", object_key=settlement_object_key(attempt))


def test_paid_checkout_places_its_order_through_a_settlement_flow(
    client, fake_sumup, django_capture_on_commit_callbacks
):
    attempt = _paid_at_sumup(client, fake_sumup, stocked_product(num_in_stock=3))

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204

    attempt.refresh_from_db()
    flow = _settlement(attempt)
    assert attempt.state == "placed" and Order.objects.filter(number=attempt.order_number).count() == 1
    assert (flow.status, flow.path) == ("succeeded", ["validate", "route", "place", "placed?", "confirm"])
    keys = set(FlowEffect.objects.filter(flow=flow).values_list("idempotency_key", flat=True))
    assert keys == {f"perform:{action}:payment-{attempt.pk}" for action in ("order_place", "order_confirm")}
    [confirmation] = mail.outbox
    assert confirmation.to == ["ada@example.org"]


def test_payment_whose_stock_vanished_shows_in_the_flow_log_as_refunded(
    client, admin_client, fake_sumup, django_capture_on_commit_callbacks
):
    honey = stocked_product(num_in_stock=3)
    attempt = _paid_at_sumup(client, fake_sumup, honey)
    # While the shopper was at SumUp, staff took the honey's stock off the shop.
    StockRecord.objects.filter(product=honey).delete()

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204

    attempt.refresh_from_db()
    flow = _settlement(attempt)
    assert attempt.state == "refunded" and attempt.order is None and attempt.needs_attention
    assert not Order.objects.filter(number=attempt.order_number).exists()
    # "refused": the flow log's word for a flow a step turned away, here the order.
    assert flow.status == "refused"
    assert flow.path == ["validate", "route", "place", "placed?", "refund", "tell"]
    refused = flow.steps.get(name="placed?")
    assert refused.branch == "refused" and "basket changed" in refused.note
    [refund] = PaymentRefund.objects.all()
    assert refund.state == "sent" and len(fake_sumup.refunds) == 1
    [shopper_email] = mail.outbox
    assert shopper_email.to == ["ada@example.org"]

    # Staff see it in the flow log: the path, the picture with it drawn, and the payment's own row.
    listing = admin_client.get("/admin/flows/", {"kind": "payment_settlement"}).content.decode()
    assert f'href="/admin/flows/{flow.pk}/"' in listing
    detail = admin_client.get(f"/admin/flows/{flow.pk}/").content.decode()
    assert refused.note in detail and "<svg" in detail
    assert f'href="/admin/state-machines/commerce.paymentattempt/{attempt.pk}/"' in detail
    assert admin_client.get(f"/admin/state-machines/commerce.paymentattempt/{attempt.pk}/").status_code == 200
    pictures = admin_client.get("/admin/flows/behaviors/").content.decode()
    assert "payment_settlement" in pictures


def test_staff_retry_of_a_failed_settlement_places_one_order(
    client, admin_client, fake_sumup, settings, django_capture_on_commit_callbacks
):
    settings.SOCIAL_STEP_MAX_ATTEMPTS = 1
    mended = dict(settings.SOCIAL_FLOW_ACTIONS)
    # A deploy names the order's placement wrongly: the `place` step fails, and its flow with it.
    settings.SOCIAL_FLOW_ACTIONS = {**mended, "order_place": "commerce.settlement.no_such_action"}
    attempt = _paid_at_sumup(client, fake_sumup, stocked_product(num_in_stock=3))
    with django_capture_on_commit_callbacks(execute=True):
        webhook_post(fake_sumup, attempt.sumup_checkout_id)
        runner.wake(PaymentAttempt, attempt.pk)  # the runner asks again: the flow is not started twice
        runner.advance(PaymentAttempt, attempt.pk)
    attempt.refresh_from_db()
    flow = _settlement(attempt)
    assert attempt.state == "paid" and "settlement flow has not finished" in attempt.last_error
    assert (flow.status, flow.cursor) == ("failed", "place") and not Order.objects.exists()
    assert Flow.objects.filter(object_key=flow.object_key).count() == 1

    settings.SOCIAL_FLOW_ACTIONS = mended  # the cause is mended
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(f"/admin/flows/{flow.pk}/retry/")
    assert response.status_code == 302
    flow.refresh_from_db()
    assert flow.status == "succeeded" and flow.steps.get(name="place").attempts == 2
    # The payment's own row, when the runner next looks, finds the order the flow placed.
    with django_capture_on_commit_callbacks(execute=True):
        runner.wake(PaymentAttempt, attempt.pk)
        runner.advance(PaymentAttempt, attempt.pk)
        # Retrying again, and the same news again, place nothing more.
        admin_client.post(f"/admin/flows/{flow.pk}/retry/")
        webhook_post(fake_sumup, attempt.sumup_checkout_id)
    attempt.refresh_from_db()
    assert attempt.state == "placed" and Order.objects.count() == 1
    assert FlowEffect.objects.filter(idempotency_key=f"perform:order_place:payment-{attempt.pk}").count() == 1
    assert len(mail.outbox) == 1  # one order confirmation


def test_settlement_whose_worker_died_inside_a_step_resumes_there_and_places_one_order(
    client, fake_sumup, settings, django_capture_on_commit_callbacks
):
    attempt = _paid_at_sumup(client, fake_sumup, stocked_product(num_in_stock=3))
    # A worker read the checkout as paid, wrote the settlement flow, ran two steps and died inside
    # `place` (claimed, never completed: its transaction, and any order in it, rolled back).
    assert attempt.payment_check(timezone.now()) == "paid"
    flow = Flow.objects.create(
        behavior="payment_settlement",
        event="paid",
        object_key=settlement_object_key(attempt),
        payload=settlement_payload(attempt, "paid"),
        cursor="validate",
    )
    assert engine.flow_advance(flow.pk) == "route" and engine.flow_advance(flow.pk) == "place"
    assert engine.flow_step_claim(flow.pk).name == "place"
    settings.SOCIAL_FLOW_STALL_SECONDS = 0  # the dead worker's claim has lapsed

    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204

    attempt.refresh_from_db()
    flow.refresh_from_db()
    assert attempt.state == "placed" and Order.objects.count() == 1
    assert flow.path == ["validate", "route", "place", "placed?", "confirm"]
    assert flow.steps.get(name="place").attempts == 2
    assert Flow.objects.filter(object_key=flow.object_key).count() == 1
