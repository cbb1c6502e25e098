"""The behavior registry: every behavior a flow may run, by name.

Behaviors are plain data (see graph.py); steps are pure (see steps.py). To add one, declare it and
pass it to `behavior_register` from an importable module (the default ones are registered here).
"""

from social.behaviors.cancellation import EVENT_CANCELLATION, OCCURRENCE_CANCELLATION
from social.behaviors.graph import END, Behavior, GraphError, Node, step
from social.behaviors.publishing import DELETE, PUBLISH, UPDATE
from social.behaviors.refund import PAYMENT_REFUND
from social.behaviors.settlement import PAYMENT_SETTLEMENT

_BEHAVIORS: dict[str, Behavior] = {}


def behavior_register(behavior: Behavior) -> Behavior:
    existing = _BEHAVIORS.get(behavior.name)
    if existing is not None and existing is not behavior:
        raise GraphError(f"a behavior named {behavior.name!r} is already registered")
    _BEHAVIORS[behavior.name] = behavior
    return behavior


def behavior_get(name: str) -> Behavior:
    try:
        return _BEHAVIORS[name]
    except KeyError:
        raise GraphError(f"no behavior named {name!r} (registered: {sorted(_BEHAVIORS)})") from None


def behaviors_all() -> list[Behavior]:
    return list(_BEHAVIORS.values())


for _behavior in (
    PUBLISH,
    UPDATE,
    DELETE,
    PAYMENT_SETTLEMENT,
    PAYMENT_REFUND,
    EVENT_CANCELLATION,
    OCCURRENCE_CANCELLATION,
):
    behavior_register(_behavior)

__all__ = [
    "END",
    "Behavior",
    "GraphError",
    "Node",
    "behavior_get",
    "behavior_register",
    "behaviors_all",
    "step",
]
