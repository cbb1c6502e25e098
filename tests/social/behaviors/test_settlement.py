"""The payment_settlement behavior's pure steps, walked without a database: which way a paid checkout
goes, and what each way asks commerce to do."""

from social.behaviors.context import FlowContext
from social.behaviors.effects import Perform
from social.behaviors.runtime import flow_walk
from social.behaviors.settlement import PAYMENT_SETTLEMENT

PAID = {
    "attempt_id": 7,
    "outcome": "paid",
    "amount": "15.00",
    "currency": "GBP",
    "paid_amount": "15.00",
    "paid_currency": "GBP",
}


def _walk(payload: dict, placement: dict | None = None):
    asked: list[Perform] = []

    def commerce(effect: Perform) -> dict:  # what commerce's functions answer, as data
        asked.append(effect)
        return placement if effect.action == "order_place" else {"done": True}

    ctx = FlowContext(
        behavior="payment_settlement",
        event=payload["outcome"],
        object_key="payment:7",
        activity_id="a",
        payload=payload,
    )
    return flow_walk(PAYMENT_SETTLEMENT, ctx, commerce), asked


def test_settlement_paid_as_expected_places_then_confirms():
    trace, asked = _walk(PAID, {"placed": True, "order_number": "100001"})
    assert trace.steps == ["validate", "route", "place", "placed?", "confirm"]
    assert [effect.action for effect in asked] == ["order_place", "order_confirm"]
    assert {effect.idempotency_key for effect in asked} == {
        "perform:order_place:payment-7",
        "perform:order_confirm:payment-7",
    }


def test_settlement_order_refused_owes_the_refund_with_its_reason():
    trace, asked = _walk(PAID, {"placed": False, "reason": "Voucher ONCE has been used"})
    assert trace.steps == ["validate", "route", "place", "placed?", "refund", "tell"]
    assert asked[1].action == "refund_owe" and asked[1].args["reason"] == "Voucher ONCE has been used"


def test_settlement_amount_or_currency_not_as_expected_is_refunded_without_placing():
    for paid in ({"paid_amount": "14.99"}, {"paid_currency": "EUR"}, {"paid_amount": ""}):
        trace, asked = _walk({**PAID, **paid})
        assert trace.steps == ["validate", "refund", "tell"]
        assert "order_place" not in [effect.action for effect in asked]
        assert "expected 15.00 GBP" in asked[0].args["reason"]


def test_settlement_paid_after_the_checkout_closed_is_refunded_never_placed():
    trace, asked = _walk({**PAID, "outcome": "paid_late", "why": "paid after it closed (expired)"})
    assert trace.steps == ["validate", "route", "refund", "tell"]
    assert [effect.action for effect in asked] == ["refund_owe", "refund_tell_shopper"]
    assert asked[0].args["reason"] == "paid after it closed (expired)"
