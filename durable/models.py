"""The abstract stateful model: a row moving through a `StateGraph`, claimed by lease, retried by policy."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, ClassVar

from django.conf import settings
from django.db import models, transaction
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
    # The columns the admin's object search looks in; None: the model's own short text columns.
    state_search_fields: ClassVar[tuple[str, ...] | None] = None

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

    def state_admin_url(self) -> str:
        """Where staff edit what this row is about (a payment's order in Oscar's dashboard), or "":
        the row's page in the state machines admin links to it. Override in the concrete model."""
        return ""

    def state_log_keys(self) -> list[str]:
        """The keys under which other logs of work file what this row is about (a payment's settlement
        flow is "payment:<id>"), most specific first: the row's page lists their entries through the
        `durable_row_related_logs` hooks, so durable names no app. Override in the concrete model."""
        return []

    def restart(self, *, now=None, to: str = "", user=None, only_from: str = "") -> bool:
        """A person's retry: back to `to` (the initial state unless named), a fresh count of tries, due
        now, whatever state the row rests in (a failed row is terminal for the runner, not for staff),
        or only if it is still in `only_from` (two people pressing Retry restart it once). Logged with
        `user`; False, and nothing changed, while a worker holds the row's lease. The caller enqueues it."""
        now = now or timezone.now()
        target = to or self.state_graph.initial.name
        self.state_graph.state(target)  # a state of the graph, or StateGraphError
        changes = {
            "state": target,
            "state_changed_at": now,
            "state_attempts": 0,
            "due_at": None,
            "locked_until": None,
            "last_error": "",
        }
        by = f"staff:{user.pk}" if user is not None else worker_id()
        log = Transition.of(self, target, at=now, attempt=0, kind=Transition.Kind.RESTART, by=by, user=user)
        with transaction.atomic():
            # Not a row a worker holds: its answer is on the way, and the lease is what fences it.
            rows = type(self)._default_manager.filter(lease_free(now), pk=self.pk)
            if only_from:
                rows = rows.filter(state=only_from)
            if not rows.update(**changes):
                return False
            log.save()
        for name, value in changes.items():
            setattr(self, name, value)
        return True

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
        log = Transition.of(self, to, at=now, error=error)
        with transaction.atomic():  # the move and its line in the log, or neither
            if not rows.update(**changes):
                raise TransitionRefused(
                    f"{type(self).__name__} {self.pk} is no longer {source!r} (moved elsewhere)"
                )
            log.save()
        for name, value in changes.items():
            setattr(self, name, value)


_HOST = socket.gethostname()[:120]


def worker_id() -> str:
    """Who moved a row when no person did: this process, as `host:pid` (a Celery worker, a web process).
    The pid is read each time: a prefork worker's children are forked after this module is imported."""
    return f"{_HOST}:{os.getpid()}"


class Transition(models.Model):
    """One line of a stateful row's history: a move, a failed try that stays for a later one, a restart.

    Written with the move it records (the same transaction; in batch mode one INSERT per batch, see
    durable/batch.py), so the row's page can draw the path it took and list why each try failed. The
    row is named by model label and primary key, not a foreign key: one table serves every stateful
    model, and durable knows none of them. Lines older than DURABLE_TRANSITIONS_KEEP_DAYS are pruned
    by the sweep.
    """

    class Kind(models.TextChoices):
        MOVE = "move", "moved"
        RETRY = "retry", "failed, tried again later"
        RESTART = "restart", "restarted by staff"
        WAKE = "wake", "woken by news from outside"

    model_label = models.CharField(max_length=100)  # "commerce.paymentattempt"
    object_pk = models.CharField(max_length=64)
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.MOVE)
    from_state = models.CharField(max_length=32)
    to_state = models.CharField(max_length=32)
    at = models.DateTimeField(db_index=True)
    attempt = models.PositiveIntegerField(default=0)  # the try in from_state that ended this way
    error = models.TextField(blank=True)
    due_at = models.DateTimeField(null=True, blank=True)  # the next try, for a retry
    by = models.CharField(max_length=150, blank=True)  # "host:pid" of a worker, "staff:<user id>"
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["model_label", "object_pk", "at"], name="durable_transition_row")]

    def __str__(self) -> str:
        return f"{self.model_label} {self.object_pk}: {self.from_state} -> {self.to_state}"

    @classmethod
    def of(
        cls,
        row: StatefulModel,
        to: str,
        *,
        at: datetime,
        attempt: int | None = None,
        error: str = "",
        kind: str = Kind.MOVE,
        due_at: datetime | None = None,
        by: str = "",
        user=None,
    ) -> Transition:
        """The unsaved line for `row` leaving its state for `to`; the caller saves it with the move."""
        return cls(
            model_label=row._meta.label_lower,
            object_pk=str(row.pk),
            kind=kind,
            from_state=row.state,
            to_state=to,
            at=at,
            attempt=row.state_attempts if attempt is None else attempt,
            error=error,
            due_at=due_at,
            by=by or worker_id(),
            user=user,
        )


def transitions_prune(now: datetime, *, limit: int = 10_000) -> int:
    """Forget lines older than DURABLE_TRANSITIONS_KEEP_DAYS (0 keeps them all), `limit` per call so a
    sweep never holds a long delete; returns how many went."""
    days = getattr(settings, "DURABLE_TRANSITIONS_KEEP_DAYS", 90)
    if not days:
        return 0
    old = Transition.objects.filter(at__lt=now - timedelta(days=days)).order_by("at")
    pks = list(old.values_list("pk", flat=True)[:limit])
    return Transition.objects.filter(pk__in=pks).delete()[0] if pks else 0
