"""Thin Celery tasks of the one runner: advance one row, sweep for due and stalled rows."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.apps import apps

from durable import runner


@shared_task(name="durable.advance", acks_late=True)
def advance(label: str, pk: int, lease: str | None = None) -> str:
    # The row is the truth: a duplicate or stale message finds it leased elsewhere or moved on.
    return runner.advance(apps.get_model(label), pk, lease=datetime.fromisoformat(lease) if lease else None)


@shared_task(name="durable.sweep")
def sweep() -> int:
    return runner.sweep()
