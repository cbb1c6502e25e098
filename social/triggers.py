"""The trigger seam: which behavior (if any) an object's event starts, given what the fediverse knows.

Pure: no ORM. The receivers (for pages) and the source services (for anything else, such as a scheduler
event) look up the object's federation state and ask the triggers named by settings.SOCIAL_TRIGGERS;
the default fires once per transition (a second publish is an Update).
"""

from dataclasses import dataclass
from typing import Protocol

LIVE = "live"  # the fediverse has the object (a Create went out, or is on its way)
NONE = "none"  # it does not (never federated, refused, or deleted)


@dataclass(frozen=True)
class PageEvent:
    kind: str  # published | unpublished | deleted | changed | cancelled | saved | stocked
    object_key: str
    is_private: bool = False


@dataclass(frozen=True)
class TriggerDecision:
    behavior: str
    event: str  # what the flow log shows as its trigger
    new_state: str  # the federation state to store in the same transaction


class Triggers(Protocol):
    def decide(self, event: PageEvent, state: str) -> TriggerDecision | None: ...


class PageLifecycleTriggers:
    """Create on first publish, Update on re-publish, Delete on unpublish, deletion or going private.

    A page's app may also report that what the page federates changed outside a publish ("changed":
    an Update, only for an object the fediverse has) or that the thing it describes was called off
    ("cancelled": a Delete, though the page stays live to say so).

    An object with no publish of its own (a scheduler event) reports what it now is ("saved"): public
    and unknown to the fediverse is a Create, public and known an Update, private and known a Delete.
    """

    def decide(self, event: PageEvent, state: str) -> TriggerDecision | None:
        if event.kind == "published":
            if state != LIVE:
                # A private first publish still runs: `validate` refuses it and says why in the log.
                return TriggerDecision("publish", "published", LIVE)
            if event.is_private:
                return TriggerDecision("delete", "made private", NONE)
            return TriggerDecision("update", "republished", LIVE)
        if event.kind == "changed" and state == LIVE:
            if event.is_private:
                return TriggerDecision("delete", "made private", NONE)
            return TriggerDecision("update", "changed", LIVE)
        if event.kind == "saved":
            if event.is_private:
                return TriggerDecision("delete", "made private", NONE) if state == LIVE else None
            if state == LIVE:
                return TriggerDecision("update", "changed", LIVE)
            return TriggerDecision("publish", "published", LIVE)
        if event.kind == "stocked":
            if event.is_private:
                return TriggerDecision("delete", "sold out", NONE) if state == LIVE else None
            return TriggerDecision("publish", "back in stock", LIVE) if state != LIVE else None
        if event.kind in ("unpublished", "deleted", "cancelled") and state == LIVE:
            return TriggerDecision("delete", event.kind, NONE)
        return None
