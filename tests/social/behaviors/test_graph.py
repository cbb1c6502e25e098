"""Behavior declarations are validated when declared: no database involved."""

import pytest

from social.behaviors import END, Behavior, GraphError, Node, behavior_get, step
from social.behaviors.context import StepResult


@step("yes", "no")
def decide(ctx):
    return StepResult("yes")


@step("done")
def finish(ctx):
    return StepResult("done")


def test_behavior_valid_declaration_orders_steps_topologically():
    behavior = Behavior(
        "ok",
        "decide",
        {
            "decide": Node(decide, {"yes": "a", "no": "b"}),
            "a": Node(finish, {"done": "b"}),
            "b": Node(finish, {"done": END}),
        },
    )
    assert behavior.order.index("a") < behavior.order.index("b")
    assert behavior.layers() == [["decide"], ["a"], ["b"]]


def test_behavior_unknown_step_rejected():
    with pytest.raises(GraphError, match="unknown step 'nowhere'"):
        Behavior("bad", "decide", {"decide": Node(decide, {"yes": "nowhere", "no": END})})


def test_behavior_unknown_start_rejected():
    with pytest.raises(GraphError, match="start step 'missing'"):
        Behavior("bad", "missing", {"decide": Node(decide, {"yes": END, "no": END})})


def test_behavior_cycle_rejected():
    with pytest.raises(GraphError, match=r"cycle a -> b -> a"):
        Behavior("bad", "a", {"a": Node(finish, {"done": "b"}), "b": Node(decide, {"yes": "a", "no": END})})


def test_behavior_self_loop_rejected():
    with pytest.raises(GraphError, match=r"cycle a -> a"):
        Behavior("bad", "a", {"a": Node(decide, {"yes": "a", "no": END})})


def test_behavior_unreachable_step_rejected():
    with pytest.raises(GraphError, match=r"unreachable step\(s\) \['orphan'\]"):
        Behavior("bad", "a", {"a": Node(finish, {"done": END}), "orphan": Node(finish, {"done": END})})


def test_behavior_missing_branch_rejected():
    with pytest.raises(GraphError, match=r"no branch for outcome\(s\) \['no'\]"):
        Behavior("bad", "decide", {"decide": Node(decide, {"yes": END})})


def test_behavior_branch_for_undeclared_outcome_rejected():
    with pytest.raises(GraphError, match=r"unknown outcome\(s\) \['maybe'\]"):
        Behavior("bad", "decide", {"decide": Node(decide, {"yes": END, "no": END, "maybe": END})})


def test_behavior_undecorated_step_rejected():
    with pytest.raises(GraphError, match="not declared with @step"):
        Behavior("bad", "a", {"a": Node(lambda ctx: StepResult("done"), {"done": END})})


def test_behavior_next_step_undeclared_outcome_raises():
    with pytest.raises(GraphError, match="returned outcome 'later'"):
        behavior_get("publish").next_step("route", "later")


def test_default_behaviors_registered_and_valid():
    assert [behavior_get(name).start for name in ("publish", "update", "delete")] == [
        "validate",
        "validate",
        "compose",
    ]
