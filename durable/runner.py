"""The one runner: work a claimed row's state outside any transaction, record what happened, sweep the rest.

`advance` takes one row's lease, calls its state's handler (the network, the mail: never inside a
transaction or a row lock), then records the outcome with a conditional UPDATE fenced by that lease:
the next state, a later try under the state's retry policy, or the graph's failure state once the
policy is exhausted. `sweep` (beat, every 30 s) leases every due or stalled row of every stateful
model and enqueues one `durable.advance` per row after commit; the queue only says "there is work",
so a lost message or a killed worker costs one lease timeout, never the row.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from celery import current_app
from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from durable.claim import claim_due, claim_row, lease_free
from durable.graph import StateGraph, StateGraphError
from durable.models import Outcome, StatefulModel, Transition, TransitionRefused, transitions_prune

logger = logging.getLogger(__name__)

MAX_STEPS = 20  # states worked back to back in one `advance` before it yields to the sweep
SWEEP_LIMIT = 500  # rows per state per sweep; the next sweep takes the rest
ERROR_MAX_CHARS = 2000


def stateful_models() -> list[type[StatefulModel]]:
    """Every concrete StatefulModel, checked: a graph, and a method for each of its handlers."""
    found = []
    for model in apps.get_models():
        if not issubclass(model, StatefulModel):
            continue
        graph = getattr(model, "state_graph", None)
        if not (isinstance(graph, type) and issubclass(graph, StateGraph)):
            raise StateGraphError(f"{model._meta.label} is a StatefulModel without a state_graph")
        for state in graph.worked:
            if not callable(getattr(model, state.handler, None)):
                raise StateGraphError(
                    f"{model._meta.label}: state {state.name!r} names handler {state.handler!r}, "
                    "which the model does not define"
                )
        found.append(model)
    return found


def advance(
    model: type[StatefulModel], pk, *, lease: datetime | None = None, now: datetime | None = None
) -> str:
    """Work one row through its handler states until it rests; returns the state it rests in.

    `lease` is the one a sweep took for this row (the task carries it); without it the row is taken
    only if it is due and free. A row that is not ours is left alone and its current state returned.
    """
    state = ""
    for _ in range(MAX_STEPS):
        state, moved = _step(model, pk, held=lease, now=now)
        lease = None
        if not moved:
            break
    return state


def _step(model: type[StatefulModel], pk, *, held: datetime | None, now: datetime | None) -> tuple[str, bool]:
    """One state's work; (state afterwards, whether it moved on to a state that can be worked now)."""
    now = now or timezone.now()
    graph = model.state_graph
    state = model._default_manager.filter(pk=pk).values_list("state", flat=True).first()
    if state is None:
        return "", False
    node = graph.state(state)
    if not node.handler:
        return state, False
    if node.batch:  # a batch of one, so the batch handler is the only code that works this state
        from durable.batch import advance_batch

        return advance_batch(model, [pk], lease=held, now=now).get(pk, state), False
    lease = claim_row(model, pk, [state], node.timeout, held=held, now=now)
    if lease is None:
        return state, False
    row = model._default_manager.get(pk=pk)
    if row.state_attempts > node.retry.max_attempts:
        # Claimed more often than the policy allows without ever recording a result: its workers
        # keep dying on it (killed, out of memory). Stop handing it out.
        error = f"stalled: {row.state_attempts - 1} workers took it and none recorded a result"
        return _fail(row, lease, now, error), False
    try:
        answer = getattr(row, node.handler)(now=now)
        outcome = answer if isinstance(answer, Outcome) else Outcome(answer)
        target = outcome.target
        if target is not None and not graph.allows(state, target):
            raise TransitionRefused(
                f"handler {node.handler} returned {target!r}, not a transition of {state!r}"
            )
    except Exception as exc:  # whatever the handler hit, the policy decides: retry later or fail
        return _retry_or_fail(row, lease, now, exc), False
    if target is None:
        # Not yet: the handler may have set a later due_at itself; otherwise try again after a while.
        due_at = (
            row.due_at if row.due_at and row.due_at > now else now + timedelta(seconds=node.retry.delay(1))
        )
        model._default_manager.filter(pk=pk, locked_until=lease).update(
            due_at=due_at, locked_until=None, state_attempts=0
        )
        return state, False
    due_at = row.due_at if row.due_at and row.due_at > now else None
    try:
        row.transition(
            target,
            due_at=due_at,
            lease=lease,
            now=now,
            error=outcome.error[:ERROR_MAX_CHARS],
            fields=outcome.fields,
        )
    except TransitionRefused:
        logger.warning("%s %s: lease lost before %s -> %s was recorded", model._meta.label, pk, state, target)
        return state, False
    try:
        row.state_entered(now)
    except Exception:  # the move is recorded; a listener's trouble must not undo or repeat it
        logger.exception("%s %s: state_entered hook raised", model._meta.label, pk)
    next_node = graph.state(target)
    return target, bool(next_node.handler) and due_at is None


def _retry_or_fail(row: StatefulModel, lease: datetime, now: datetime, exc: Exception) -> str:
    node = row.state_node
    error = f"{type(exc).__name__}: {exc}"[:ERROR_MAX_CHARS]
    if node.retry.exhausted(row.state_attempts):
        logger.error(
            "%s %s failed in %s after %s tries: %s",
            row._meta.label,
            row.pk,
            row.state,
            row.state_attempts,
            error,
        )
        return _fail(row, lease, now, error)
    delay = node.retry.delay(row.state_attempts)
    logger.warning(
        "%s %s: %s failed (try %s, again in %.0f s): %s",
        row._meta.label,
        row.pk,
        row.state,
        row.state_attempts,
        delay,
        error,
    )
    due_at = now + timedelta(seconds=delay)
    rows = type(row)._default_manager.filter(pk=row.pk, state=row.state, locked_until=lease)
    with transaction.atomic():  # the failed try and its line in the row's history, or neither
        if rows.update(due_at=due_at, locked_until=None, last_error=error):
            Transition.of(
                row, row.state, at=now, error=error, kind=Transition.Kind.RETRY, due_at=due_at
            ).save()
    return row.state


def _fail(row: StatefulModel, lease: datetime, now: datetime, error: str) -> str:
    failure = row.state_graph.failure.name
    try:
        row.transition(failure, lease=lease, now=now, error=error)
    except TransitionRefused:
        return row.state
    try:
        row.state_failed(error, now)
    except Exception:  # the row is failed and shown as such; the owner's hook must not undo that
        logger.exception("%s %s: state_failed hook raised", row._meta.label, row.pk)
    return failure


def _advance_enqueue(label: str, pk: int, lease: str | None = None) -> None:
    # By the task's name: durable/tasks.py imports this module, and DurableConfig.ready() loads it.
    current_app.tasks["durable.advance"].delay(label, pk, lease)


def _advance_batch_enqueue(label: str, pks: list, lease: str | None = None) -> None:
    current_app.tasks["durable.advance_batch"].delay(label, pks, lease)


def sweep(limit: int = SWEEP_LIMIT, *, now: datetime | None = None) -> int:
    """Lease every due or stalled row of every stateful model; after commit enqueue one `durable.advance`
    per row, or one `durable.advance_batch` per batch of a state worked in batches."""
    now = now or timezone.now()
    transitions_prune(now)  # the history's retention, a bounded delete per sweep
    enqueued = 0
    for model, node, pks, lease in _claimed(limit, now):
        label, token = model._meta.label, lease.isoformat()
        if node.batch:
            for batch in _chunks(pks, node.batch):
                transaction.on_commit(
                    lambda label=label, batch=batch, token=token: _advance_batch_enqueue(label, batch, token)
                )
        else:
            for pk in pks:
                transaction.on_commit(
                    lambda label=label, pk=pk, token=token: _advance_enqueue(label, pk, token)
                )
        enqueued += len(pks)
    return enqueued + _sweep_also()


def _sweep_also() -> int:
    """Durable work that is not a stateful row but is found by this same sweep, so one beat entry hands
    on everything stalled: settings.DURABLE_SWEEP_ALSO names functions (by dotted path, so this module
    imports no app) that resume their own stalled work and return what they handed on. The behavior
    DAG's flows are one: each step is claimed on its own rows (social.engine), not a row's lease."""
    handed_on = 0
    for path in getattr(settings, "DURABLE_SWEEP_ALSO", ()):
        handed_on += len(import_string(path)())
    return handed_on


def _chunks(pks: list, size: int) -> list[list]:
    return [pks[start : start + size] for start in range(0, len(pks), size)]


def run_due(
    model: type[StatefulModel] | None = None, *, limit: int = SWEEP_LIMIT, now: datetime | None = None
) -> Counter:
    """The sweep without the queue: lease due rows and advance them here; counts of the states they rest in.

    For `manage.py durable_run`, development without a worker, and tests that set the clock.
    """
    from durable.batch import advance_batch

    now = now or timezone.now()
    outcomes: Counter = Counter()
    for found, node, pks, lease in _claimed(limit, now, only=model):
        if node.batch:
            for batch in _chunks(pks, node.batch):
                outcomes.update(advance_batch(found, batch, lease=lease, now=now).values())
            continue
        for pk in pks:
            outcomes[advance(found, pk, lease=lease, now=now)] += 1
    return outcomes


def _claimed(limit: int, now: datetime, only: type[StatefulModel] | None = None):
    for model in stateful_models():
        if only is not None and model is not only:
            continue
        for node in model.state_graph.worked:
            pks = claim_due(model, [node.name], limit, node.timeout, now=now)
            if pks:
                yield model, node, pks, now + timedelta(seconds=node.timeout)


def advance_on_commit(row: StatefulModel) -> None:
    """Work a new or re-armed row once the caller's transaction commits (the sweep is the safety net)."""
    label, pk = row._meta.label, row.pk
    transaction.on_commit(lambda: _advance_enqueue(label, pk))


def advance_batches_on_commit(model: type[StatefulModel], pks: list) -> None:
    """Work many new rows of a state worked in batches once the caller commits: one task per batch
    (a fan-out to a thousand inboxes is fifty messages, not a thousand)."""
    if not pks:
        return
    size = max((state.batch for state in model.state_graph.worked), default=0) or 1
    label, batches = model._meta.label, _chunks(list(pks), size)

    def enqueue() -> None:
        for batch in batches:
            _advance_batch_enqueue(label, batch)

    transaction.on_commit(enqueue)


def wake(model: type[StatefulModel], pk, *, to: str | None = None, now: datetime | None = None) -> bool:
    """News from outside (a webhook, a person coming back): make a worked row due now instead of at its
    retry or timeout, moving it to `to` first if the graph allows that. Only a row nobody holds: a
    worker holding it records its own result, and the caller asks again once the lease is given back.
    Returns whether the row was woken; `advance` it (or let the sweep) to do the work.
    """
    now = now or timezone.now()
    graph = model.state_graph
    rows = model._default_manager.filter(pk=pk, state__in=[state.name for state in graph.worked])
    rows = rows.filter(lease_free(now))
    if to is None:
        return bool(rows.update(due_at=None))
    sources = [state.name for state in graph.worked if graph.allows(state.name, to)]
    if not sources:
        raise StateGraphError(f"{graph.__name__}: no worked state moves to {to!r}")
    row = rows.filter(state__in=sources).only("pk", "state", "state_attempts").first()
    if row is None:
        return False
    log = Transition.of(row, to, at=now, kind=Transition.Kind.WAKE)
    with transaction.atomic():  # conditional on the state read: another waker or worker may move it first
        moved = rows.filter(state=row.state).update(
            state=to, state_changed_at=now, state_attempts=0, due_at=None, locked_until=None, last_error=""
        )
        if moved:
            log.save()
    return bool(moved)
