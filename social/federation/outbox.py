"""What an actor's outbox holds: our federated posts, plus entries other apps register (the hub's notes).

Federation never imports those apps (they import federation): an app registers a source from its
AppConfig.ready(), and the outbox merges every source newest first before paging.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .models import LocalActor


@dataclass(frozen=True)
class OutboxEntry:
    """One item of an outbox: when it was published, and how to render its activity (only when paged in)."""

    published: datetime
    render: Callable[[], dict[str, Any]]


OutboxSource = Callable[[LocalActor], Iterable[OutboxEntry]]

_sources: dict[str, OutboxSource] = {}


def outbox_source_register(name: str, source: OutboxSource) -> None:
    """Add a source of outbox entries; registering the same name again replaces it (ready() may rerun)."""
    _sources[name] = source


def outbox_entries(actor: LocalActor, first: Iterable[OutboxEntry]) -> list[OutboxEntry]:
    """`first` (federation's own posts, already newest first) merged with every registered source's entries.

    The sort is stable, so entries published at the same moment keep their source's own order.
    """
    entries = list(first)
    for source in _sources.values():
        entries.extend(source(actor))
    entries.sort(key=lambda entry: entry.published, reverse=True)
    return entries
