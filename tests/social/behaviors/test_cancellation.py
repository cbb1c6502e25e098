"""The event_cancellation behavior's pure steps, walked without a database."""

from social.behaviors.cancellation import EVENT_CANCELLATION
from social.behaviors.context import FlowContext
from social.behaviors.effects import Perform
from social.behaviors.runtime import flow_walk


def _walk(called_off: dict):
    asked: list[Perform] = []

    def events(effect: Perform) -> dict:  # what events' functions answer, as data
        asked.append(effect)
        return called_off if effect.action == "event_bookings_call_off" else {"done": True}

    ctx = FlowContext(
        behavior="event_cancellation",
        event="cancelled",
        object_key="event:3",
        activity_id="a",
        payload={"event_id": 3},
    )
    return flow_walk(EVENT_CANCELLATION, ctx, events), asked


def test_cancellation_with_paid_tickets_owes_their_refunds_then_tells_and_federates():
    trace, asked = _walk({"cancelled": [1, 2, 3], "paid": [2, 3]})
    assert trace.steps == ["call_off", "tickets?", "refunds", "tell", "federate"]
    assert asked[1].args == {"booking_ids": [2, 3]}
    assert asked[2].args == {"event_id": 3, "booking_ids": [1, 2, 3]}
    assert all(effect.idempotency_key.endswith(":event-3") for effect in asked)


def test_cancellation_of_free_tickets_owes_nothing_and_of_none_tells_nobody():
    free, _ = _walk({"cancelled": [1], "paid": []})
    assert free.steps == ["call_off", "tickets?", "tell", "federate"]
    nobody, asked = _walk({"cancelled": [], "paid": []})
    assert nobody.steps == ["call_off", "tickets?", "federate"]
    assert [effect.action for effect in asked] == ["event_bookings_call_off", "event_federate"]
