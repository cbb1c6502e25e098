"""State graphs are checked when declared: every mistake below is refused before any row could use it."""

import pytest

from durable.graph import State, StateGraph, StateGraphError
from durable.retry import RetryPolicy


def _graph(**states):
    return type("Graph", (StateGraph,), states)


def _valid(**overrides):
    states = {
        "new": State(initial=True, handler="work", timeout=60, transitions=["done", "failed"]),
        "done": State(terminal=True),
        "failed": State(terminal=True, failure=True),
    }
    states.update(overrides)
    return states


def test_graph_valid_declaration_exposes_initial_failure_and_worked_states():
    graph = _graph(
        **_valid(
            waiting=State(transitions=["done"]),
            new=State(initial=True, handler="work", timeout=60, transitions=["waiting", "done", "failed"]),
        )
    )
    assert graph.initial.name == "new" and graph.failure.name == "failed"
    assert [state.name for state in graph.worked] == ["new"]
    assert graph.allows("new", "waiting") and not graph.allows("waiting", "new")
    assert graph.choices()[0] == ("new", "New")
    assert graph.state("new").retry == RetryPolicy()


@pytest.mark.parametrize(
    ("states", "message"),
    [
        ({"new": State(initial=False, transitions=["done"])}, "exactly one initial state, has 0"),
        ({"done": State(initial=True, terminal=True)}, "exactly one initial state, has 2"),
        ({"new": State(initial=True, transitions=["nowhere"])}, "transitions to 'nowhere'"),
        ({"done": State(terminal=True, transitions=["new"])}, "terminal, so it can have neither"),
        ({"done": State(terminal=True, handler="work", timeout=1)}, "terminal, so it can have neither"),
        ({"new": State(initial=True, handler="work", transitions=["done", "failed"])}, "needs a timeout"),
        (
            {"new": State(initial=True, handler="work", timeout=60, transitions=["done"])},
            "must be able to fail",
        ),
        ({"lost": State(transitions=["done"])}, "no transition leads to: ['lost']"),
        ({"stuck": State()}, "not terminal but has no transitions"),
        ({"failed": State(failure=True, transitions=["done"])}, "failure state, so it must be terminal"),
        ({"gone": State(terminal=True, failure=True)}, "more than one failure state"),
        ({"initial": State(terminal=True)}, "names a state 'initial'"),
    ],
)
def test_graph_bad_declaration_refused_with_reason(states, message):
    with pytest.raises(StateGraphError, match=message.replace("(", r"\(").replace("[", r"\[")):
        _graph(**_valid(**states))


def test_graph_handlers_without_failure_state_refused():
    states = _valid()
    del states["failed"]
    states["new"] = State(initial=True, handler="work", timeout=60, transitions=["done"])
    with pytest.raises(StateGraphError, match="no failure state"):
        _graph(**states)


def test_graph_unknown_state_lookup_refused():
    with pytest.raises(StateGraphError, match="no state 'nope'"):
        _graph(**_valid()).state("nope")


def test_graph_batch_state_needs_a_handler():
    with pytest.raises(StateGraphError, match="worked in batches, so it needs a handler"):

        class Batched(StateGraph):
            waiting = State(initial=True, batch=20, transitions=["done"])
            done = State(terminal=True)


def test_state_choices_enum_is_made_from_the_graph():
    from durable.models import state_choices

    class Small(StateGraph):
        pending = State(initial=True, handler="work", timeout=5, transitions=["done", "failed"])
        done = State(terminal=True, label="Done and dusted")
        failed = State(terminal=True, failure=True)

    choices = state_choices(Small)
    assert choices.DONE == "done" and choices.DONE.label == "Done and dusted"
    assert list(choices.values) == ["pending", "done", "failed"]
