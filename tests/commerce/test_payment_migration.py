"""The data migration that moves payment attempts and refunds onto the one runner keeps each in its state.

It writes rows, so it runs on PostgreSQL in CI too: there the schema changes on either side of it
(0006, 0008) must commit apart from the rows it writes."""

from decimal import Decimal

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from tests.migrations import migrate

BEFORE = [("commerce", "0005_product_import_durable")]
AFTER = [("commerce", "0008_payment_old_columns_removed")]
Basket = get_model("basket", "Basket")


@pytest.mark.django_db(transaction=True)
def test_payments_and_refunds_become_durable_rows_in_their_state(latest_schema_after):
    old = migrate(BEFORE)
    Attempt = old.get_model("commerce", "PaymentAttempt")
    Refund = old.get_model("commerce", "PaymentRefund")
    basket_id = Basket.objects.create().pk
    now = timezone.now()

    def attempt(reference: str, state: str, note: str = ""):
        return Attempt.objects.create(
            basket_id=basket_id,
            order_number=reference,
            checkout_reference=reference,
            amount=Decimal("9.00"),
            currency="GBP",
            shipping_method_code="collection-point",
            state=state,
            note=note,
            transaction_id=f"tx-{reference}",
        )

    for state in ("pending", "placed", "expired", "cancelled", "refunded", "flagged"):
        attempt(state, state)
    attempt("declined", "failed")
    attempt("unreachable", "failed", note="SumUp checkout creation failed: timed out")
    refunding = attempt("refunding", "refunding")
    for key, state in (
        ("to-send", "pending"),
        ("mid-send", "sending"),
        ("done", "sent"),
        ("gave-up", "failed"),
    ):
        Refund.objects.create(
            attempt=refunding,
            key=key,
            amount=Decimal("9.00"),
            state=state,
            last_error="APIError: 503" if state == "failed" else "",
            claimed_at=now if state != "pending" else None,
            sent_at=now if state == "sent" else None,
        )

    new = migrate(AFTER)
    attempts = dict(
        new.get_model("commerce", "PaymentAttempt").objects.values_list("checkout_reference", "state")
    )
    assert attempts == {
        "pending": "pending",  # due now: the runner's first look asks SumUp
        "placed": "placed",
        "expired": "expired",
        "cancelled": "cancelled",
        "refunded": "refunded",
        "flagged": "flagged",
        "declined": "declined",
        "unreachable": "start_failed",
        "refunding": "refunding",  # due now: its handler follows the refund owed
    }
    refunds = {row.key: row for row in new.get_model("commerce", "PaymentRefund").objects.all()}
    assert {key: row.state for key, row in refunds.items()} == {
        "to-send": "owed",
        "mid-send": "owed",  # resent under the same Idempotency-Key: SumUp answers the first refund
        "done": "sent",
        "gave-up": "failed",
    }
    assert refunds["gave-up"].error == "APIError: 503"
    assert all(row.due_at is None and row.locked_until is None for row in refunds.values())
