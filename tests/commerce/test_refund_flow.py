"""A refund's outcome is the payment_refund behavior in the flow log: a refund SumUp made shows its
steps and tells the shopper once, one SumUp refused shows as refused with the payment flagged for
staff, and an outcome reported twice (a duplicate task, two workers) runs one flow and sends one email."""

from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from oscar.apps.payment.models import Source

from commerce import refunds
from commerce.models import PaymentAttempt, PaymentRefund
from commerce.refund_outcome import refund_outcome_start
from durable import runner
from durable.outgoing import OutgoingEmail
from social.models import Flow, FlowEffect
from tests.concurrency import at_once, raised
from tests.factories.commerce import guest_checkout_to_sumup, stocked_product
from tests.security.money_support import webhook_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def placed(client, fake_sumup, django_capture_on_commit_callbacks) -> PaymentAttempt:
    """A guest's order for one jar of honey, paid at the fake SumUp and placed."""
    guest_checkout_to_sumup(client, [(stocked_product(num_in_stock=3), 1)])
    attempt = PaymentAttempt.objects.get()
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204
    attempt.refresh_from_db()
    assert attempt.state == "placed"
    mail.outbox.clear()
    return attempt


def _flow(key: str) -> Flow:
    return Flow.objects.get(behavior="payment_refund", object_key=f"refund:{key}")


def _refunded(attempt: PaymentAttempt) -> Decimal:
    return Source.objects.get(order_id=attempt.order_id).amount_refunded


def test_refund_sent_shows_one_flow_with_its_steps_and_one_email(
    placed, fake_sumup, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        refund = refunds.order_refund(placed.order, Decimal("2.50"), key="staff-1", reference="a jar broke")

    assert refund.state == "sent" and [r["amount"] for r in fake_sumup.refunds] == [2.5]
    flow = _flow("staff-1")
    assert (flow.event, flow.status) == ("refunded", "succeeded")
    assert flow.path == ["validate", "outcome?", "mark", "tell"]
    keys = set(FlowEffect.objects.filter(flow=flow).values_list("idempotency_key", flat=True))
    assert keys == {"perform:refund_mark:refund-staff-1", "perform:refund_tell:refund-staff-1"}
    # The mark step wrote it in the order's books.
    assert _refunded(placed) == Decimal("2.50")
    [email] = mail.outbox
    assert email.to == ["ada@example.org"] and "2.50 GBP refunded" in email.subject
    assert placed.order_number in email.subject


def test_refund_sumup_refuses_shows_refused_flow_flags_staff_and_one_email(
    placed, admin_client, fake_sumup, django_capture_on_commit_callbacks
):
    # Staff refunded the whole payment at SumUp's own dashboard meanwhile: SumUp refuses ours for good.
    assert fake_sumup.refund("MTEST001", placed.transaction_id, {"amount": float(placed.amount)})[0] == 201

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(refunds.RefundRefused):
        refunds.order_refund(placed.order, Decimal("2.50"), key="staff-2")

    refund = PaymentRefund.objects.get(key="staff-2")
    assert refund.state == "failed" and "400" in refund.error
    flow = _flow("staff-2")
    assert (flow.event, flow.status) == ("failed", "refused")
    assert flow.path == ["validate", "outcome?", "flag", "tell"]
    assert "400" in flow.steps.get(name="outcome?").note
    placed.refresh_from_db()
    assert placed.needs_attention and "automatic refund of 2.50 failed" in placed.note
    assert _refunded(placed) == 0
    [email] = mail.outbox
    assert email.to == ["ada@example.org"] and "needs our help" in email.subject
    # Staff find it in the flow log as they find a settlement that placed no order.
    listing = admin_client.get("/admin/flows/", {"kind": "payment_refund"}).content.decode()
    assert f'href="/admin/flows/{flow.pk}/"' in listing


def test_refund_outcome_reported_twice_runs_one_flow_and_sends_one_email(
    placed, fake_sumup, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        refund = refunds.order_refund(placed.order, Decimal("2.50"), key="staff-3")
        # A duplicated task, or a worker that died before the runner recorded `sent`: the row is worked
        # again, SumUp answers the same refund under its key, and the outcome is reported again.
        PaymentRefund.objects.filter(pk=refund.pk).update(state="owed", locked_until=None, due_at=None)
        assert runner.advance(PaymentRefund, refund.pk) == "sent"
        refund_outcome_start("staff-3", "refunded")

    assert Flow.objects.filter(behavior="payment_refund").count() == 1
    assert len(fake_sumup.refunds) == 1 and _refunded(placed) == Decimal("2.50")
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_refund_outcome_from_two_workers_at_once_runs_one_flow(placed, fake_sumup):
    if connection.vendor != "postgresql":
        pytest.skip("two connections racing for the refund's row lock need PostgreSQL")
    refund = refunds.order_refund(placed.order, Decimal("2.50"), key="staff-4")
    # As if both workers had their answer from SumUp and neither had reported it yet (no flow, and
    # none of its effects: the order's books, the shopper's email row).
    Flow.objects.filter(object_key="refund:staff-4").delete()
    OutgoingEmail.objects.filter(key="refund-outcome:staff-4").delete()
    Source.objects.filter(order_id=placed.order_id).update(amount_refunded=0)
    mail.outbox.clear()

    def report() -> None:
        refund_outcome_start(refund.key, "refunded")

    assert raised(at_once(report, report)) == []
    assert Flow.objects.filter(behavior="payment_refund", object_key="refund:staff-4").count() == 1
    assert _refunded(placed) == Decimal("2.50") and len(mail.outbox) == 1
