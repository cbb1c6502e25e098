"""Thin Celery tasks of the one runner: advance one row or a batch of rows, sweep for due and stalled rows,
and a model's debounced kick."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.apps import apps

from durable import batch, runner
from durable import kick as kicks


@shared_task(name="durable.advance", acks_late=True)
def advance(label: str, pk: int, lease: str | None = None) -> str:
    # The row is the truth: a duplicate or stale message finds it leased elsewhere or moved on.
    return runner.advance(apps.get_model(label), pk, lease=datetime.fromisoformat(lease) if lease else None)


@shared_task(name="durable.advance_batch", acks_late=True)
def advance_batch(label: str, pks: list[int], lease: str | None = None) -> dict[str, int]:
    """Work a batch of rows of a state worked in batches; how many rest in each state."""
    lease_at = datetime.fromisoformat(lease) if lease else None
    counts: dict[str, int] = {}
    for state in batch.advance_batch(apps.get_model(label), pks, lease=lease_at).values():
        counts[state] = counts.get(state, 0) + 1
    return counts


@shared_task(name="durable.sweep")
def sweep() -> int:
    return runner.sweep()


@shared_task(name="durable.kick", acks_late=True)
def kick(label: str) -> int:
    """Claim a model's due rows and hand them on (durable/kick.py); how many were claimed."""
    return kicks.kicked(apps.get_model(label))


@shared_task(name="durable.advance_rows", acks_late=True)
def advance_rows(label: str, pks: list[int], lease: str) -> dict[str, int]:
    """Work rows a kick claimed, under its lease; how many rest in each state."""
    counts: dict[str, int] = {}
    for state in kicks.advance_rows(apps.get_model(label), pks, datetime.fromisoformat(lease)).values():
        counts[state] = counts.get(state, 0) + 1
    return counts
