"""The transport seam: where a recorded activity goes (an activity log by default, ActivityPub later).

The behavior driver hands every delivered activity to the transport named by settings.SOCIAL_TRANSPORT.
A transport must be idempotent on `activity_id`: a retried step may hand it the same activity twice.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


@dataclass(frozen=True)
class OutboundActivity:
    """An activity our site emits, as data. `payload` is the page's federation_payload() (see cms)."""

    activity_id: str  # globally unique and stable across retries (a UUID string)
    activity_type: str  # "Create", "Update", "Delete", ...
    actor: str  # local actor username: "blog" or an author's slug
    object_type: str  # "Article", "Note", "Tombstone", ...
    object_key: str  # stable key of the object this activity is about, e.g. "page:42"
    payload: Mapping[str, Any] = field(default_factory=dict)
    flow_id: int | None = None


@dataclass(frozen=True)
class TransportReceipt:
    """What the transport did with an activity: recorded in the flow log."""

    transport: str
    deliveries_scheduled: int = 0
    detail: str = ""


class Transport(Protocol):
    def deliver(self, activity: OutboundActivity) -> TransportReceipt: ...
