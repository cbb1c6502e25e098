"""The hub_send behavior walked without a database: validation branches and the effects it emits."""

from social.behaviors.context import FlowContext
from social.behaviors.effects import RecordActivity, ScheduleDelivery
from social.behaviors.runtime import InMemoryDriver, flow_walk
from social.hub.behaviors import HUB_SEND


def _ctx(payload):
    return FlowContext(
        behavior="hub_send", event="like", object_key="hub:like:1", activity_id="a-1", payload=payload
    )


def test_hub_send_valid_activity_recorded_then_delivered():
    payload = {
        "actor": "blog",
        "activity": {"id": "https://site/ap/activities/a-1", "type": "Like", "object": "https://r/n/1"},
        "inboxes": ["https://r/inbox"],
        "followers": False,
    }
    trace = flow_walk(HUB_SEND, _ctx(payload), InMemoryDriver().dispatch)
    assert trace.steps == ["validate", "record", "deliver"]
    record, deliver = trace.effects
    assert (
        isinstance(record, RecordActivity) and record.activity_type == "Like" and record.object_type == "Link"
    )
    assert isinstance(deliver, ScheduleDelivery) and deliver.activity_id == "a-1"


def test_hub_send_nobody_to_send_to_refused_without_effects():
    payload = {"actor": "blog", "activity": {"id": "x", "type": "Like"}, "inboxes": [], "followers": False}
    trace = flow_walk(HUB_SEND, _ctx(payload), InMemoryDriver().dispatch)
    assert trace.steps == ["validate"]
    assert trace.effects == []
    assert "nobody" in trace.path[0].result.note


def test_hub_send_empty_note_refused():
    activity = {"id": "x", "type": "Create", "object": {"type": "Note", "content": "  "}}
    trace = flow_walk(
        HUB_SEND, _ctx({"actor": "blog", "activity": activity, "followers": True}), InMemoryDriver().dispatch
    )
    assert trace.path[0].result.branch == "refused"
