"""The payment_refund behavior's pure steps, walked without a database: which way a refund's outcome
goes, and what each way asks commerce (and events, for a ticket) to do."""

from social.behaviors.context import FlowContext
from social.behaviors.effects import Perform
from social.behaviors.refund import PAYMENT_REFUND
from social.behaviors.runtime import flow_walk

REFUNDED = {"key": "staff-1", "outcome": "refunded", "amount": "2.50", "currency": "GBP"}


def _walk(payload: dict):
    asked: list[Perform] = []

    def apps(effect: Perform) -> dict:
        asked.append(effect)
        return {"done": True}

    ctx = FlowContext(
        behavior="payment_refund",
        event=payload.get("outcome", ""),
        object_key=f"refund:{payload.get('key')}",
        activity_id="a",
        payload=payload,
    )
    return flow_walk(PAYMENT_REFUND, ctx, apps), asked


def test_refund_refunded_marks_the_order_then_tells_the_shopper():
    trace, asked = _walk(REFUNDED)
    assert trace.steps == ["validate", "outcome?", "mark", "tell"]
    assert [effect.idempotency_key for effect in asked] == [
        "perform:refund_mark:refund-staff-1",
        "perform:refund_tell:refund-staff-1",
    ]


def test_refund_of_a_ticket_marks_the_booking_too_and_tells_its_holder():
    _trace, asked = _walk({**REFUNDED, "key": "ticket-ABC"})
    assert [effect.action for effect in asked] == ["refund_mark", "ticket_refund_mark", "ticket_refund_tell"]


def test_refund_failed_flags_staff_and_tells_the_shopper_why():
    trace, asked = _walk({**REFUNDED, "outcome": "failed", "error": "APIError: 400"})
    assert trace.steps == ["validate", "outcome?", "flag", "tell"]
    assert trace.context.results["outcome?"]["branch"] == "refused"
    assert asked[0].action == "refund_flag" and asked[0].args["error"] == "APIError: 400"
    assert asked[1].action == "refund_tell" and asked[1].args["outcome"] == "failed"


def test_refund_refunded_whose_shopper_was_told_when_owed_sends_no_second_email():
    trace, asked = _walk({**REFUNDED, "told_when_owed": True})
    assert trace.steps[-1] == "tell" and [effect.action for effect in asked] == ["refund_mark"]


def test_refund_unknown_outcome_or_no_amount_is_refused_and_does_nothing():
    for payload in ({**REFUNDED, "outcome": "maybe"}, {**REFUNDED, "amount": ""}):
        trace, asked = _walk(payload)
        assert trace.steps == ["validate"] and asked == []
