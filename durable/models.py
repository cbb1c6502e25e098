"""The abstract stateful model: a row moving through a `StateGraph`, claimed by lease, retried by policy."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, ClassVar

from django.db import models
from django.utils import timezone

from durable.claim import lease_free
from durable.graph import StateGraph, StateGraphError


def state_field(graph: type[StateGraph]) -> models.CharField:
    """The `state` column of a concrete model: its graph's states as choices, starting at the initial one."""
    return models.CharField(max_length=32, db_index=True, choices=graph.choices(), default=graph.initial.name)


def state_choices(graph: type[StateGraph], name: str = "State") -> type[models.TextChoices]:
    """The graph's states as an enum (`Delivery.State.DELIVERED`), for code that names one: made from
    the graph, so the graph stays the one place that lists them."""
    return models.TextChoices(name, [(state.upper(), (state, label)) for state, label in graph.choices()])


@dataclass
class Outcome:
    """What a handler may answer instead of a bare state name, to write more with the move.

    `target` is the state to move to; None means this try failed and the state's retry policy decides
    (a later try, or the failure state once it is exhausted). `error` is kept as the row's
    `last_error` (why it was ignored, what failed); `fields` are the row's own columns, written in the
    same UPDATE as the move; `log` are new rows (attempt logs) inserted in the same transaction, so a
    row and its log never disagree.
    """

    target: str | None
    error: str = ""
    fields: dict[str, Any] = field(default_factory=dict)
    log: list[models.Model] = field(default_factory=list)


class TransitionRefused(StateGraphError):
    """A move the graph does not declare, or one another process made first."""


class StatefulModel(models.Model):
    """A row the one runner advances. The row is the truth; a queued task only says "look at it".

    `due_at` is when the runner should next work it (None: now). `locked_until` is the lease of the
    process working it: while it is in the future nobody else claims the row, and once it has passed
    the row counts as stalled and the sweep hands it to another worker. The lease's value doubles as
    its token: the worker holding it records its result only where `locked_until` still equals it.
    """

    state_graph: ClassVar[type[StateGraph]]

    state = models.CharField(max_length=32, db_index=True)
    state_changed_at = models.DateTimeField(default=timezone.now)
    state_attempts = models.PositiveIntegerField(default=0)
    due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    locked_until = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    STATE_FIELDS: ClassVar[list[str]] = [
        "state",
        "state_changed_at",
        "state_attempts",
        "due_at",
        "locked_until",
        "last_error",
    ]

    class Meta:
        abstract = True

    @property
    def state_node(self):
        return self.state_graph.state(self.state)

    @property
    def is_terminal(self) -> bool:
        return self.state_node.terminal

    def state_failed(self, error: str, now) -> None:
        """The runner moved this row to its failure state itself: the retry policy ran out on
        exceptions, or workers kept dying on it. Its handler never got to say so, so override this to
        tell whoever owns the outcome (flag a booking for staff, close an issue). Called once, after
        the failure is recorded; a crash in between leaves the row failed on the state machines page."""

    def state_entered(self, now) -> None:
        """The runner recorded this row's move into its current state (its handler's answer). Called
        once, outside any transaction, after the move is committed; override to tell listeners."""

    def restart(self, *, now=None) -> None:
        """A person's retry: back to the initial state, a fresh count of tries, due now, whatever state the
        row rests in (a failed row is terminal for the runner, not for staff). The caller enqueues it."""
        now = now or timezone.now()
        changes = {
            "state": self.state_graph.initial.name,
            "state_changed_at": now,
            "state_attempts": 0,
            "due_at": None,
            "locked_until": None,
            "last_error": "",
        }
        # Not a row a worker holds: its answer is on the way, and the lease is what fences it.
        if not type(self)._default_manager.filter(lease_free(now), pk=self.pk).update(**changes):
            return
        for name, value in changes.items():
            setattr(self, name, value)

    def transition(
        self, to: str, *, due_at=None, lease=None, now=None, error: str = "", fields: dict | None = None
    ) -> None:
        """Move to `to` if the graph allows it and the row is still where this instance saw it.

        The UPDATE is conditional on the old state (and on `lease`, when the caller holds one), so of
        two processes moving the same row only one succeeds; the other gets TransitionRefused.
        """
        source = self.state
        if not self.state_graph.allows(source, to):
            raise TransitionRefused(f"{self.state_graph.__name__}: {source!r} cannot move to {to!r}")
        now = now or timezone.now()
        changes = {
            **(fields or {}),
            "state": to,
            "state_changed_at": now,
            "state_attempts": 0,
            "due_at": due_at,
            "locked_until": None,
            "last_error": error,
        }
        rows = type(self)._default_manager.filter(pk=self.pk, state=source)
        if lease is not None:
            rows = rows.filter(locked_until=lease)
        if not rows.update(**changes):
            raise TransitionRefused(
                f"{type(self).__name__} {self.pk} is no longer {source!r} (moved elsewhere)"
            )
        for name, value in changes.items():
            setattr(self, name, value)
