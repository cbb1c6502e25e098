"""State graphs declared as data and checked when the class is created, before any row moves through them.

A graph is a class whose attributes are `State`s:

    class ImportGraph(StateGraph):
        pending = State(initial=True, handler="import_run", timeout=600, transitions=["done", "failed"])
        done = State(terminal=True)
        failed = State(terminal=True, failure=True)

A state with a handler is worked by the runner: the handler is a method of the model, it runs outside
any transaction and returns the name of the next state (or None to stay and be tried again later).
A state without a handler waits for something else (a person, another process) to move it.

A state with `batch=N` is worked N rows at a time: its handler is called on the model class with the
rows one claim leased together, and yields each row's `Outcome` (see durable/batch.py), which the
runner records before the handler goes on to the next row. Deliveries use it: one task, one claim and
one load of what the rows share for twenty POSTs, and still at most one POST repeated after a crash.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from durable.retry import RetryPolicy

DEFAULT_RETRY = RetryPolicy()


class StateGraphError(ValueError):
    """A state graph that cannot work as declared; the message names the graph and the state."""


class State:
    """One state of a graph: where it may go next, who works it, and how patiently."""

    def __init__(
        self,
        *,
        transitions: Iterable[str] = (),
        handler: str | None = None,
        timeout: float | None = None,
        retry: RetryPolicy | None = None,
        initial: bool = False,
        terminal: bool = False,
        failure: bool = False,
        label: str = "",
        batch: int = 0,
    ) -> None:
        self.transitions: tuple[str, ...] = tuple(transitions)
        self.handler = handler
        self.timeout = timeout
        self.retry = retry or DEFAULT_RETRY
        self.initial = initial
        self.terminal = terminal
        self.failure = failure
        self.label = label
        self.batch = batch
        self.name = ""  # set by the graph that holds it

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<State {self.name}>"


class StateGraph:
    """Base class of every graph; subclassing it checks the declaration (see `_check`)."""

    states: ClassVar[dict[str, State]]
    initial: ClassVar[State]
    failure: ClassVar[State | None]
    worked: ClassVar[tuple[State, ...]]  # the states with a handler: what the sweep looks for

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        cls.states = {name: value for name, value in vars(cls).items() if isinstance(value, State)}
        _check(cls)
        cls.initial = next(state for state in cls.states.values() if state.initial)
        cls.failure = next((state for state in cls.states.values() if state.failure), None)
        cls.worked = tuple(state for state in cls.states.values() if state.handler)

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [
            (name, state.label or name.replace("_", " ").capitalize()) for name, state in cls.states.items()
        ]

    @classmethod
    def state(cls, name: str) -> State:
        try:
            return cls.states[name]
        except KeyError:
            raise StateGraphError(f"{cls.__name__} has no state {name!r}") from None

    @classmethod
    def allows(cls, source: str, target: str) -> bool:
        return target in cls.state(source).transitions


def _check(graph: type[StateGraph]) -> None:
    name = graph.__name__
    states = graph.states
    if not states:
        raise StateGraphError(f"{name} declares no states")
    reserved = sorted(set(states) & {"states", "initial", "failure", "worked", "choices", "state", "allows"})
    if reserved:
        raise StateGraphError(f"{name} names a state {reserved[0]!r}, which the graph uses itself")
    initial = [state.name for state in states.values() if state.initial]
    if len(initial) != 1:
        raise StateGraphError(f"{name} needs exactly one initial state, has {len(initial)}: {initial}")
    for state in states.values():
        where = f"{name}.{state.name}"
        for target in state.transitions:
            if target not in states:
                raise StateGraphError(f"{where} transitions to {target!r}, which is not a state of {name}")
        if state.terminal and (state.transitions or state.handler):
            raise StateGraphError(f"{where} is terminal, so it can have neither transitions nor a handler")
        if not state.terminal and not state.transitions:
            raise StateGraphError(f"{where} is not terminal but has no transitions: declare it terminal")
        if state.handler and not (state.timeout and state.timeout > 0):
            # The timeout is the claim's lease: without one a crashed worker's row would stay claimed.
            raise StateGraphError(f"{where} has a handler, so it needs a timeout (seconds) for its lease")
        if state.batch and not state.handler:
            raise StateGraphError(f"{where} is worked in batches, so it needs a handler")
        if state.batch < 0:
            raise StateGraphError(f"{where} has a negative batch size")
        if state.failure and not state.terminal:
            raise StateGraphError(f"{where} is the failure state, so it must be terminal")
    failures = [state.name for state in states.values() if state.failure]
    if len(failures) > 1:
        raise StateGraphError(f"{name} has more than one failure state: {failures}")
    worked = [state for state in states.values() if state.handler]
    if worked and not failures:
        raise StateGraphError(f"{name} has handlers but no failure state for exhausted retries")
    for state in worked:
        if failures[0] not in state.transitions:
            raise StateGraphError(
                f"{name}.{state.name} has a handler, so it must be able to fail: add {failures[0]!r} "
                "to its transitions"
            )
    reached = _reachable(states, initial[0])
    unreached = [state.name for state in states.values() if not state.terminal and state.name not in reached]
    if unreached:
        raise StateGraphError(f"{name} has states no transition leads to: {unreached}")


def _reachable(states: dict[str, State], start: str) -> set[str]:
    seen, frontier = {start}, [start]
    while frontier:
        for target in states[frontier.pop()].transitions:
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    return seen
