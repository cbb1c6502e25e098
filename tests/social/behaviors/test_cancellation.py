"""The event_cancellation behavior's pure steps, walked without a database."""

from social.behaviors.cancellation import EVENT_CANCELLATION, OCCURRENCE_CANCELLATION
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


def _walk_date(called_off: dict, **payload):
    asked: list[Perform] = []

    def events(effect: Perform) -> dict:
        asked.append(effect)
        return called_off if effect.action == "occurrence_bookings_call_off" else {"done": True}

    facts = {
        "event_id": 3,
        "original_start": "2027-03-20T10:00:00+00:00",
        "occurrence_ts": 1805536800,
        "date_cancelled": True,
        "event_cancelled": False,
    }
    ctx = FlowContext(
        behavior="occurrence_cancellation",
        event="cancelled",
        object_key="event:3:1805536800",
        activity_id="a",
        payload=facts | payload,
    )
    return flow_walk(OCCURRENCE_CANCELLATION, ctx, events), asked


def test_date_cancellation_with_paid_tickets_calls_off_that_date_only_and_keys_by_date():
    trace, asked = _walk_date({"cancelled": [1, 2], "paid": [2]})
    assert trace.steps == ["validate", "call_off", "tickets?", "refunds", "tell", "federate"]
    assert asked[0].args == {"event_id": 3, "original_start": "2027-03-20T10:00:00+00:00"}
    assert asked[1].args == {"booking_ids": [2]}
    assert [effect.action for effect in asked] == [
        "occurrence_bookings_call_off",
        "ticket_refunds_owe",
        "occurrence_holders_tell",
        "occurrence_federate",
    ]
    # Keyed by the date: another date of the same event, or the whole event, is a thing apart.
    assert all(effect.idempotency_key.endswith(":event-3-1805536800") for effect in asked)


def test_date_cancellation_of_free_or_no_tickets_skips_refunds():
    free, _ = _walk_date({"cancelled": [1], "paid": []})
    assert free.steps == ["validate", "call_off", "tickets?", "tell", "federate"]
    nobody, _ = _walk_date({"cancelled": [], "paid": []})
    assert nobody.steps == ["validate", "call_off", "tickets?", "federate"]


def test_date_cancellation_refused_once_the_whole_event_is_off_or_the_date_is_not_cancelled():
    for facts in ({"event_cancelled": True}, {"date_cancelled": False}):
        trace, asked = _walk_date({"cancelled": [1], "paid": []}, **facts)
        assert trace.steps == ["validate"] and asked == []
        assert trace.path[0].result.branch == "refused"
