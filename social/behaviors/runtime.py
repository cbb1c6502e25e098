"""Running steps without a database: one step at a time, or a whole flow with an in-memory driver.

The persisted engine (social/engine.py) calls `step_run` for each step; tests and previews use
`flow_walk` with an `InMemoryDriver`, which performs nothing and only records.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from social.behaviors.context import FlowContext, StepResult
from social.behaviors.effects import Effect
from social.behaviors.graph import END, Behavior, GraphError


@dataclass(frozen=True)
class StepOutcome:
    name: str
    result: StepResult
    next_step: str  # a node name or END


def step_run(behavior: Behavior, name: str, ctx: FlowContext) -> StepOutcome:
    """Run one step; check what it returned against the declaration."""
    result = behavior.node(name).run(ctx)
    if not isinstance(result, StepResult):
        raise GraphError(f"{behavior.name}.{name} returned {type(result).__name__}, not a StepResult")
    for effect in result.effects:
        if not isinstance(effect, Effect):
            raise GraphError(f"{behavior.name}.{name} emitted {effect!r}, which is not an Effect")
    return StepOutcome(name, result, behavior.next_step(name, result.branch))


@dataclass
class InMemoryDriver:
    """A driver that performs nothing: it records each effect once per idempotency key."""

    dispatched: list[Effect] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)

    def dispatch(self, effect: Effect) -> dict[str, Any]:
        if effect.idempotency_key in self.seen:
            return {"duplicate": True}
        self.seen.add(effect.idempotency_key)
        self.dispatched.append(effect)
        return {"recorded": True}


@dataclass(frozen=True)
class Trace:
    path: tuple[StepOutcome, ...]
    context: FlowContext

    @property
    def steps(self) -> list[str]:
        return [outcome.name for outcome in self.path]

    @property
    def effects(self) -> list[Effect]:
        return [effect for outcome in self.path for effect in outcome.result.effects]


def flow_walk(behavior: Behavior, ctx: FlowContext, dispatch: Callable[[Effect], Any] | None = None) -> Trace:
    """Walk a behavior from its start to END, dispatching each step's effects in order."""
    path: list[StepOutcome] = []
    name = behavior.start
    while name != END:
        outcome = step_run(behavior, name, ctx)
        # What the driver made of each effect is the step's "effects", as the engine hands it on.
        done = [dispatch(effect) for effect in outcome.result.effects] if dispatch is not None else []
        ctx = ctx.with_result(name, {"branch": outcome.result.branch, **outcome.result.data, "effects": done})
        path.append(outcome)
        name = outcome.next_step
    return Trace(tuple(path), ctx)
