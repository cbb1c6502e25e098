"""Effects: what a step wants done, as frozen data. The driver performs them; steps never do I/O.

Every effect carries an idempotency key. The driver stores it under a unique constraint, so a step
retried after a crash hands back the same effects and none of them happens twice.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar


@dataclass(frozen=True)
class Effect(ABC):
    """The base of every effect; abstract: an effect without its own idempotency key cannot be made."""

    kind: ClassVar[str] = "effect"

    @property
    @abstractmethod
    def idempotency_key(self) -> str:
        """Unique per thing to be done: the driver records it under a unique constraint."""

    def as_data(self) -> dict[str, Any]:
        """The effect as JSON-ready data, as the flow log stores and shows it."""
        return {"kind": self.kind, **asdict(self)}


@dataclass(frozen=True)
class RecordActivity(Effect):
    """Record the activity federation sends: a page's object is built then, a hub activity kept as built."""

    kind: ClassVar[str] = "record_activity"
    activity_id: str
    activity_type: str  # Create, Update, Delete
    object_type: str  # Article, Tombstone
    actor: str
    object_key: str
    payload: Mapping[str, Any] = field(default_factory=dict)

    @property
    def idempotency_key(self) -> str:
        return self.key_for(self.activity_id)

    @staticmethod
    def key_for(activity_id: str) -> str:
        return f"activity:{activity_id}"


@dataclass(frozen=True)
class ScheduleDelivery(Effect):
    """Schedule a recorded activity's deliveries: one Delivery row per inbox of its audience."""

    kind: ClassVar[str] = "schedule_delivery"
    activity_id: str

    @property
    def idempotency_key(self) -> str:
        return f"deliver:{self.activity_id}"


@dataclass(frozen=True)
class Notify(Effect):
    """Tell the staff: an in-admin notification and an email to every active staff member."""

    kind: ClassVar[str] = "notify"
    key: str  # unique per notification: a retried step re-emits the same key
    subject: str
    body: str = ""
    url: str = ""
    level: str = "info"  # info | urgent

    @property
    def idempotency_key(self) -> str:
        return f"notify:{self.key}"


@dataclass(frozen=True)
class SetFederationState(Effect):
    """Change what the site believes the fediverse knows about an object ("live" or "none").

    `only_if_activity` guards against a stale flow clobbering a newer one: the state changes only
    while the object is still the one created by that activity.
    """

    kind: ClassVar[str] = "set_federation_state"
    object_key: str
    state: str
    only_if_activity: str = ""

    @property
    def idempotency_key(self) -> str:
        return f"state:{self.object_key}:{self.state}:{self.only_if_activity}"


@dataclass(frozen=True)
class Perform(Effect):
    """Have the app that owns the business do one thing, inside the step's transaction: the function
    SOCIAL_FLOW_ACTIONS names for `action` (commerce places an order, owes a refund) is called with
    `args` and answers what it did, as data a later step may branch on. `key` names the thing once
    (a payment's id), so a retried step never has it done twice."""

    kind: ClassVar[str] = "perform"
    action: str
    key: str
    args: Mapping[str, Any] = field(default_factory=dict)

    @property
    def idempotency_key(self) -> str:
        return f"perform:{self.action}:{self.key}"
