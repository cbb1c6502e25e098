"""States worked in batches: one claim and one handler call for many rows, each row's outcome recorded
before the handler works the next.

The handler (a classmethod named by the state, `batch=N`) gets the rows one claim leased together and
yields `(row, Outcome)` for each as soon as it knows it. It is a generator, so the runner's record of
one row (an UPDATE fenced by the lease, with the outcome's log rows, all or nothing: durable.fenced) commits
before the handler resumes and touches the world for the next: a worker killed mid-batch has done at
most one thing it did not record, and the sweep repeats only that one once the lease runs out.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError
from django.utils import timezone

from durable.claim import claim_rows
from durable.fenced import outcome_write
from durable.graph import State
from durable.models import Outcome, StatefulModel, Transition
from durable.runner import ERROR_MAX_CHARS, _fail

logger = logging.getLogger(__name__)


def advance_batch(
    model: type[StatefulModel], pks: Iterable, *, lease: datetime | None = None, now: datetime | None = None
) -> dict[Any, str]:
    """Claim those of `pks` that are due and free (or leased to us: `lease`, from the sweep) in a state
    worked in batches, and work them through its handler; the state each claimed row rests in."""
    pks = list(pks)
    now = now or timezone.now()
    outcomes: dict[Any, str] = {}
    for node in model.state_graph.worked:
        if not node.batch:
            continue
        claimed = claim_rows(model, pks, [node.name], node.timeout, held=lease, now=now)
        if claimed:
            until = now + timedelta(seconds=node.timeout)
            outcomes.update(_work(model, node, claimed, until, now))
    return outcomes


def _work(model: type[StatefulModel], node: State, pks: list, lease: datetime, now: datetime) -> dict:
    rows = list(model._default_manager.filter(pk__in=pks).order_by("pk"))
    outcomes: dict[Any, str] = {}
    workable = []
    for row in rows:
        if row.state_attempts > node.retry.max_attempts:
            # Claimed more often than the policy allows without a result: its workers keep dying on it.
            error = f"stalled: {row.state_attempts - 1} workers took it and none recorded a result"
            outcomes[row.pk] = _fail(row, lease, now, error)
        else:
            workable.append(row)
    if not workable:
        return outcomes
    pending = {row.pk: row for row in workable}
    history: list[Transition] = []
    try:
        for row, outcome in getattr(model, node.handler)(workable, now=now):
            outcomes[row.pk] = _record(row, outcome, lease, timezone.now(), history)
            pending.pop(row.pk, None)
            if outcomes[row.pk] == "":  # lease lost: the rest of the batch is another worker's now
                outcomes.pop(row.pk)
                return outcomes
    except DatabaseError:
        # The database went away mid-batch (restarted, connection killed): nothing can be recorded now.
        # The rows keep their lease, and the sweep hands them on once it runs out, as for a killed worker.
        logger.exception("%s: database lost mid-batch; its rows wait for their lease", model._meta.label)
        raise
    except Exception as exc:  # the handler broke mid-batch: what it did not answer for is tried again
        logger.exception("%s: batch handler %s raised", model._meta.label, node.handler)
        for row in pending.values():
            error = f"{type(exc).__name__}: {exc}"
            outcomes[row.pk] = _record(row, Outcome(None, error), lease, now, history)
    finally:
        _history_write(model, history)
    return outcomes


def _history_write(model: type[StatefulModel], history: list[Transition]) -> None:
    """The batch's lines of history in one INSERT: a line per row would double the queries of a fan-out
    of thousands. Written after the rows' own records, so a worker killed mid-batch loses these lines
    (never a row's state or its attempt log); the row's page then shows its state without the move."""
    if not history:
        return
    try:
        Transition.objects.bulk_create(history)
    except DatabaseError:
        logger.exception("%s: the batch's history was not written", model._meta.label)


def _record(row: StatefulModel, outcome: Outcome, lease: datetime, now: datetime, history: list) -> str:
    """Write one row's outcome under its lease, and add its line to the batch's `history`; the state it
    rests in, or "" if the lease was lost."""
    node, graph = row.state_node, row.state_graph
    error = outcome.error[:ERROR_MAX_CHARS]
    target = outcome.target
    if target is not None and not graph.allows(row.state, target):
        error = f"handler {node.handler} answered {target!r}, not a transition of {row.state!r}"
        target = None
    exhausted = node.retry.exhausted(row.state_attempts) or node.retry.expired(row.state_changed_at, now)
    kind = Transition.Kind.MOVE
    if target is None and not exhausted:
        delay = node.retry.delay(row.state_attempts)
        changes = {"due_at": now + timedelta(seconds=delay), "locked_until": None, "last_error": error}
        target, kind = row.state, Transition.Kind.RETRY
    else:
        target = target or graph.failure.name
        changes = {
            "state": target,
            "state_changed_at": now,
            "state_attempts": 0,
            "due_at": None,
            "locked_until": None,
            "last_error": error,
        }
    fence = {"state": row.state, "locked_until": lease}
    recorded = outcome_write(type(row), row.pk, fence, {**outcome.fields, **changes}, outcome.log)
    if not recorded:
        logger.warning("%s %s: lease lost before its outcome was recorded", row._meta.label, row.pk)
        return ""
    history.append(Transition.of(row, target, at=now, error=error, kind=kind, due_at=changes["due_at"]))
    source = row.state
    for name, value in {**outcome.fields, **changes}.items():
        setattr(row, name, value)
    if target == source:
        return target
    _entered(row, now, failed=outcome.target is None, error=error)
    return target


def _entered(row: StatefulModel, now: datetime, *, failed: bool, error: str) -> None:
    try:
        if failed:  # the runner gave up on its own: the handler never said so
            row.state_failed(error, now)
        else:
            row.state_entered(now)
    except Exception:  # the move is recorded; a listener's trouble must not undo or repeat it
        logger.exception("%s %s: state hook raised", row._meta.label, row.pk)
