"""The one claim/lease: rows that are due and free (or whose lease ran out) become this process's for a while.

On PostgreSQL the candidates are locked with `SELECT … FOR UPDATE SKIP LOCKED` in a short transaction
that only writes their lease, so concurrent sweeps take disjoint rows without waiting on each other.
SQLite has no row locks: each candidate is taken with its own conditional UPDATE, and only the rows
whose UPDATE changed something (rowcount 1) are ours. Nothing else is done while a row is locked.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, Q
from django.utils import timezone


def lease_free(now: datetime) -> Q:
    """No lease, or one that has run out (its holder died or hung: the row is stalled)."""
    return Q(locked_until__isnull=True) | Q(locked_until__lt=now)


def due(now: datetime) -> Q:
    return Q(due_at__isnull=True) | Q(due_at__lte=now)


def claim_due(
    model,
    states: Iterable[str],
    limit: int,
    lease_seconds: float,
    *,
    now: datetime | None = None,
) -> list:
    """Lease up to `limit` due rows of `model` in `states`; returns their primary keys.

    Every row claimed by one call gets the same lease, `now + lease_seconds`, which the caller can
    compute to act as the holder (see `claim_row`'s `held`).
    """
    now = now or timezone.now()
    until = now + timedelta(seconds=lease_seconds)
    candidates = (
        model._default_manager.filter(state__in=list(states))
        .filter(due(now))
        .filter(lease_free(now))
        .order_by("due_at", "pk")
    )
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            pks = list(
                candidates.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True)[
                    :limit
                ]
            )
            model._default_manager.filter(pk__in=pks).update(locked_until=until)
        return pks
    claimed = []
    for pk in candidates.values_list("pk", flat=True)[:limit]:
        # Re-checked in the UPDATE itself: another process may have taken it since the SELECT.
        if model._default_manager.filter(pk=pk).filter(lease_free(now)).update(locked_until=until):
            claimed.append(pk)
    return claimed


def claim_row(
    model,
    pk,
    states: Iterable[str],
    lease_seconds: float,
    *,
    held: datetime | None = None,
    now: datetime | None = None,
) -> datetime | None:
    """Lease one row if it is in `states`, due and free (or stalled), or leased to us already (`held`,
    the lease a sweep took for us); returns the new lease, or None if the row is not ours to work.

    Taking the lease counts an attempt, before any work: a worker killed mid-handler still used one,
    so a row that kills every worker that takes it ends in the failure state instead of looping.
    One conditional UPDATE on both databases: PostgreSQL re-checks its WHERE after any concurrent
    writer commits, so of two workers only one sees its row updated.
    """
    now = now or timezone.now()
    until = now + timedelta(seconds=lease_seconds)
    ours = due(now) & lease_free(now)
    if held is not None:
        ours |= Q(locked_until=held)
    rows = model._default_manager.filter(pk=pk, state__in=list(states)).filter(ours)
    return until if rows.update(locked_until=until, state_attempts=F("state_attempts") + 1) else None


def release(model, pk, lease: datetime) -> bool:
    """Give a lease back early (the work is recorded); False if it was no longer ours."""
    return bool(model._default_manager.filter(pk=pk, locked_until=lease).update(locked_until=None))


def claim_rows(
    model,
    pks: Iterable,
    states: Iterable[str],
    lease_seconds: float,
    *,
    held: datetime | None = None,
    now: datetime | None = None,
) -> list:
    """`claim_row` for a batch: lease those of `pks` that are in `states`, due and free (or stalled), or
    leased to us already (`held`); returns the primary keys now ours, each with an attempt counted.

    On PostgreSQL the rows are locked with SKIP LOCKED first, so two workers handed overlapping batches
    take disjoint rows without waiting on each other. On SQLite each row is taken with its own
    conditional UPDATE, as `claim_due` does, and only those whose UPDATE changed something are ours.
    """
    now = now or timezone.now()
    until = now + timedelta(seconds=lease_seconds)
    ours = due(now) & lease_free(now)
    if held is not None:
        ours |= Q(locked_until=held)
    pks = sorted(set(pks))
    candidates = model._default_manager.filter(pk__in=pks, state__in=list(states)).filter(ours)
    taken = {"locked_until": until, "state_attempts": F("state_attempts") + 1}
    if not connection.features.has_select_for_update_skip_locked:
        return [pk for pk in pks if candidates.filter(pk=pk).update(**taken)]
    with transaction.atomic():
        claimed = sorted(
            candidates.select_for_update(skip_locked=True, of=("self",)).values_list("pk", flat=True)
        )
        model._default_manager.filter(pk__in=claimed).update(**taken)
        return claimed
