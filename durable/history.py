"""A stateful row's history read back (its path, the state it failed from) and a staff member's retry."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from django.utils.text import capfirst

from durable import runner
from durable.models import StatefulModel, Transition

HISTORY_LINES = 200  # the newest lines shown on a row's page; a delivery retried for days has hundreds


class RetryRefused(Exception):
    """A retry staff may not make now: the row is not failed, or a worker holds it."""


@dataclass
class RowHistory:
    """The newest lines of one row's history, oldest first, and how many older ones were left out."""

    lines: list[Transition]
    earlier: int

    @property
    def path(self) -> list[str]:
        """The states visited in order, for the picture: every move's source and target, without the
        retries that stayed where they were."""
        path: list[str] = []
        for line in self.lines:
            for state in (line.from_state, line.to_state):
                if not path or path[-1] != state:
                    path.append(state)
        return path


def row_history(row: StatefulModel, limit: int = HISTORY_LINES) -> RowHistory:
    lines = Transition.objects.filter(model_label=row._meta.label_lower, object_pk=str(row.pk))
    newest = list(lines.select_related("user").order_by("-at", "-pk")[: limit + 1])
    earlier = lines.count() - limit if len(newest) > limit else 0
    return RowHistory(lines=list(reversed(newest[:limit])), earlier=earlier)


def retry_state(row: StatefulModel) -> str:
    """Where a failed row is retried from: the worked state it failed in, as its history says (the
    step that failed, not the whole way again), or the initial state when the history is gone."""
    graph = row.state_graph
    failure = graph.failure.name if graph.failure else ""
    moved_in = (
        Transition.objects.filter(model_label=row._meta.label_lower, object_pk=str(row.pk), to_state=failure)
        .exclude(from_state=failure)
        .order_by("-at", "-pk")
        .values_list("from_state", flat=True)
        .first()
    )
    if moved_in in graph.states and graph.state(moved_in).handler:
        return moved_in
    return graph.initial.name


def can_retry(row: StatefulModel) -> bool:
    """Only a row in its graph's failure state: anything else is still the runner's, or finished."""
    failure = row.state_graph.failure
    return failure is not None and row.state == failure.name


def row_retry(row: StatefulModel, user) -> str:
    """Staff's retry of a failed row from the state it failed in: a new attempt in the log, the row due
    now and worked after commit. The state's handler is the runner's own, which is safe to run again, so
    an effect it already made (an order placed, a refund sent) is found, not made twice."""
    name = capfirst(type(row)._meta.verbose_name)  # as the admin's headers name it
    if not can_retry(row):
        raise RetryRefused(f"{name} {row.pk} is {row.state!r}: only a failed row can be retried.")
    target = retry_state(row)
    if not row.restart(to=target, user=user, now=timezone.now(), only_from=row.state):
        row.refresh_from_db(fields=["state", "locked_until"])
        if row.locked_until and row.locked_until > timezone.now():
            raise RetryRefused(
                f"A worker holds {name} {row.pk} until {row.locked_until:%H:%M:%S} UTC: try again after that."
            )
        raise RetryRefused(f"{name} {row.pk} moved on meanwhile: it is {row.state!r} now.")
    if row.state_graph.state(target).batch:
        runner.advance_batches_on_commit(type(row), [row.pk])
    else:
        runner.advance_on_commit(row)
    return target
