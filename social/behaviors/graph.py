"""Behaviors declared as data: a start step, nodes and their branches, checked when declared.

A behavior is a small DAG. Each node names a step function and maps every outcome the step may
return to the next node (or END). `Behavior(...)` validates itself in __post_init__, so a typo, a
cycle, an unreachable step or a forgotten branch fails at import time rather than at publish time.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

from social.behaviors.context import FlowContext, StepResult

END = "end"


class GraphError(ValueError):
    """A behavior declaration that cannot run."""


class StepFunction(Protocol):
    outcomes: tuple[str, ...]
    __name__: str

    def __call__(self, ctx: FlowContext) -> StepResult: ...


def step(*outcomes: str) -> Callable[[Callable[[FlowContext], StepResult]], StepFunction]:
    """Declare a pure step and the outcomes (branch names) it may return."""
    if not outcomes:
        raise GraphError("a step must declare at least one outcome")

    def mark(fn: Callable[[FlowContext], StepResult]) -> StepFunction:
        fn.outcomes = tuple(outcomes)  # type: ignore[attr-defined]
        return fn  # type: ignore[return-value]

    return mark


@dataclass(frozen=True)
class Node:
    run: StepFunction
    then: Mapping[str, str]  # outcome -> next node name or END
    title: str = ""


@dataclass(frozen=True)
class Behavior:
    name: str
    start: str
    nodes: Mapping[str, Node]
    description: str = ""
    order: tuple[str, ...] = field(init=False, default=())  # a topological order, for layout and docs

    def __post_init__(self) -> None:
        object.__setattr__(self, "order", _validate(self))

    def node(self, name: str) -> Node:
        try:
            return self.nodes[name]
        except KeyError:
            raise GraphError(f"{self.name}: no step named {name!r}") from None

    def next_step(self, name: str, outcome: str) -> str:
        """Where `outcome` of step `name` leads; an undeclared outcome is a bug in the step."""
        node = self.node(name)
        if outcome not in node.then:
            raise GraphError(
                f"{self.name}.{name} returned outcome {outcome!r}; it declares {sorted(node.then)}"
            )
        return node.then[outcome]

    def edges(self) -> list[tuple[str, str, str]]:
        """(from, outcome, to) for every branch, END included."""
        return [(name, outcome, to) for name in self.order for outcome, to in self.nodes[name].then.items()]

    def layers(self) -> list[list[str]]:
        """Nodes grouped by longest distance from the start: columns for a left-to-right drawing."""
        depth = {self.start: 0}
        for name in self.order:
            for to in self.nodes[name].then.values():
                if to != END:
                    depth[to] = max(depth.get(to, 0), depth[name] + 1)
        columns: list[list[str]] = [[] for _ in range(max(depth.values()) + 1)]
        for name in self.order:
            columns[depth[name]].append(name)
        return columns


def _validate(behavior: Behavior) -> tuple[str, ...]:
    name = behavior.name
    if not behavior.nodes:
        raise GraphError(f"{name}: a behavior needs at least one step")
    if END in behavior.nodes:
        raise GraphError(f"{name}: {END!r} is reserved for the end of a flow")
    if behavior.start not in behavior.nodes:
        raise GraphError(f"{name}: start step {behavior.start!r} is not declared")
    for node_name, node in behavior.nodes.items():
        outcomes = getattr(node.run, "outcomes", None)
        if not outcomes:
            raise GraphError(f"{name}.{node_name}: {node.run!r} is not declared with @step(...)")
        missing = [outcome for outcome in outcomes if outcome not in node.then]
        if missing:
            raise GraphError(f"{name}.{node_name}: no branch for outcome(s) {missing}")
        extra = [outcome for outcome in node.then if outcome not in outcomes]
        if extra:
            raise GraphError(f"{name}.{node_name}: branch for unknown outcome(s) {extra}")
        for outcome, to in node.then.items():
            if to != END and to not in behavior.nodes:
                raise GraphError(f"{name}.{node_name}: outcome {outcome!r} leads to unknown step {to!r}")

    # Depth-first from the start: grey = on the current path (a grey target is a cycle).
    colour: dict[str, str] = {}
    finished: list[str] = []

    def visit(node_name: str, path: list[str]) -> None:
        colour[node_name] = "grey"
        for to in behavior.nodes[node_name].then.values():
            if to == END:
                continue
            if colour.get(to) == "grey":
                here = path + [node_name]
                cycle = " -> ".join(here[here.index(to) :] + [to])
                raise GraphError(f"{name}: cycle {cycle}")
            if to not in colour:
                visit(to, path + [node_name])
        colour[node_name] = "black"
        finished.append(node_name)

    visit(behavior.start, [])
    unreachable = sorted(set(behavior.nodes) - set(colour))
    if unreachable:
        raise GraphError(f"{name}: unreachable step(s) {unreachable} (not reachable from {behavior.start!r})")
    return tuple(reversed(finished))
