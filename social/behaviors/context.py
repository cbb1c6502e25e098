"""The data a step sees (FlowContext) and the data it returns (StepResult). Both are immutable."""

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from social.behaviors.effects import Effect


@dataclass(frozen=True)
class FlowContext:
    """Everything a step may read: the trigger, the page's payload and earlier steps' results."""

    behavior: str
    event: str  # published | republished | unpublished | deleted
    object_key: str  # "page:<id>"
    activity_id: str  # stable across retries: stored on the flow when it starts
    payload: Mapping[str, Any] = field(default_factory=dict)
    # Per earlier step: its branch, its data and "effects", what the driver did with each of its effects.
    results: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    actor: str = "blog"
    flow_id: int | None = None

    def with_result(self, step: str, data: Mapping[str, Any]) -> "FlowContext":
        """A new context that also carries `step`'s result data (steps never mutate)."""
        results = dict(self.results)
        results[step] = MappingProxyType(dict(data))
        return replace(self, results=MappingProxyType(results))


@dataclass(frozen=True)
class StepResult:
    """A step's answer: which branch to take, the effects to dispatch, and a note for the log."""

    branch: str
    effects: tuple[Effect, ...] = ()
    note: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)
