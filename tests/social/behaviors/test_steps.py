"""Steps and effects are pure: each branch of the default behaviors, no database."""

import dataclasses

import pytest

from social.behaviors import behavior_get
from social.behaviors.context import FlowContext
from social.behaviors.effects import Notify, RecordActivity, ScheduleDelivery, SetFederationState
from social.behaviors.runtime import InMemoryDriver, flow_walk, step_run


def payload(**overrides):
    data = {
        "page_id": 7,
        "title": "Harvest",
        "summary": "The harvest is in.",
        "body_html": "<p>Hi</p>",
        "url": "http://testserver/blog/harvest/",
        "category": {"slug": "news", "name": "News", "urgent": False},
        "is_private": False,
        "tags": [],
        "authors": [],
    }
    data.update(overrides)
    return data


def ctx(behavior="publish", **overrides):
    return FlowContext(behavior, "published", "page:7", "act-1", payload(**overrides))


def test_publish_normal_category_records_and_delivers_without_notifying():
    driver = InMemoryDriver()
    trace = flow_walk(behavior_get("publish"), ctx(), driver.dispatch)
    assert trace.steps == ["validate", "compose", "route", "deliver"]
    assert [type(effect) for effect in driver.dispatched] == [RecordActivity, ScheduleDelivery]
    record = driver.dispatched[0]
    assert (record.activity_type, record.object_type, record.actor, record.object_key) == (
        "Create",
        "Article",
        "blog",
        "page:7",
    )
    assert record.payload["title"] == "Harvest"


def test_publish_urgent_category_notifies_then_delivers():
    trace = flow_walk(behavior_get("publish"), ctx(category={"slug": "a", "name": "Alerts", "urgent": True}))
    assert trace.steps == ["validate", "compose", "route", "notify", "deliver"]
    notify = trace.effects[1]
    assert isinstance(notify, Notify)
    assert notify.level == "urgent" and "Harvest" in notify.subject and notify.url.endswith("/harvest/")


def test_publish_no_category_takes_normal_branch():
    trace = flow_walk(behavior_get("publish"), ctx(category=None))
    assert trace.path[2].result.branch == "normal"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [({"title": " "}, "no title"), ({"summary": ""}, "no summary"), ({"is_private": True}, "marked private")],
)
def test_publish_invalid_post_refused_with_reason_and_forgotten(overrides, reason):
    trace = flow_walk(behavior_get("publish"), ctx(**overrides))
    assert trace.steps == ["validate", "forget"]
    assert reason in trace.path[0].result.note
    assert trace.effects == [SetFederationState("page:7", "none", only_if_activity="act-1")]


def test_update_records_update_activity():
    trace = flow_walk(behavior_get("update"), ctx("update"))
    assert trace.steps == ["validate", "compose", "changed?", "deliver"]
    assert trace.effects[0].activity_type == "Update"


def test_update_the_transport_found_unchanged_delivers_nothing_and_says_why():
    # The driver's answer to the RecordActivity: the object is what the fediverse already has.
    trace = flow_walk(behavior_get("update"), ctx("update"), lambda effect: {"receipt": {"unchanged": True}})
    assert trace.steps == ["validate", "compose", "changed?"]
    assert trace.path[-1].result.note == "unchanged: nothing sent"
    assert [effect.kind for effect in trace.effects] == ["record_activity"]  # no ScheduleDelivery


def test_update_refused_emits_nothing():
    trace = flow_walk(behavior_get("update"), ctx("update", summary=""))
    assert trace.steps == ["validate"] and trace.effects == []


def test_delete_records_tombstone_without_content():
    trace = flow_walk(behavior_get("delete"), ctx("delete"))
    record = trace.effects[0]
    assert (record.activity_type, record.object_type) == ("Delete", "Tombstone")
    assert "body_html" not in record.payload and record.payload["page_id"] == 7


def test_step_retried_emits_identical_effects_with_same_keys():
    behavior = behavior_get("publish")
    first = step_run(behavior, "notify", ctx()).result.effects
    again = step_run(behavior, "notify", ctx()).result.effects
    assert first == again
    assert first[0].idempotency_key == "notify:act-1:urgent"


def test_in_memory_driver_dispatches_each_key_once():
    driver = InMemoryDriver()
    effect = ScheduleDelivery("act-1")
    assert driver.dispatch(effect) == {"recorded": True}
    assert driver.dispatch(ScheduleDelivery("act-1")) == {"duplicate": True}
    assert driver.dispatched == [effect]


def test_effects_frozen_and_serialisable():
    effect = RecordActivity("a", "Create", "Article", "blog", "page:1", {"title": "x"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        effect.activity_id = "b"
    assert effect.as_data() == {
        "kind": "record_activity",
        "activity_id": "a",
        "activity_type": "Create",
        "object_type": "Article",
        "actor": "blog",
        "object_key": "page:1",
        "payload": {"title": "x"},
    }


def test_context_with_result_leaves_original_untouched():
    original = ctx()
    later = original.with_result("validate", {"branch": "ok"})
    assert original.results == {} and later.results["validate"]["branch"] == "ok"
