"""The abstract stateful model: a row moving through a `StateGraph`, claimed by lease, retried by policy."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone

from durable.graph import StateGraph, StateGraphError


def state_field(graph: type[StateGraph]) -> models.CharField:
    """The `state` column of a concrete model: its graph's states as choices, starting at the initial one."""
    return models.CharField(max_length=32, db_index=True, choices=graph.choices(), default=graph.initial.name)


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

    def transition(self, to: str, *, due_at=None, lease=None, now=None, error: str = "") -> None:
        """Move to `to` if the graph allows it and the row is still where this instance saw it.

        The UPDATE is conditional on the old state (and on `lease`, when the caller holds one), so of
        two processes moving the same row only one succeeds; the other gets TransitionRefused.
        """
        source = self.state
        if not self.state_graph.allows(source, to):
            raise TransitionRefused(f"{self.state_graph.__name__}: {source!r} cannot move to {to!r}")
        now = now or timezone.now()
        changes = {
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
