"""The one claim/lease: due and free (or stalled) rows only, one claimant each; SKIP LOCKED on PostgreSQL."""

import functools
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from commerce.models import ProductImport
from durable.claim import claim_due, claim_row, release
from tests.concurrency import at_once, raised

pytestmark = pytest.mark.django_db


def _rows(n, **fields):
    return [ProductImport.objects.create(original_name=f"f{i}.csv", **fields).pk for i in range(n)]


def test_claim_due_takes_due_free_and_stalled_rows_and_leases_them():
    now = timezone.now()
    free = _rows(2)
    due_past = _rows(1, due_at=now - timedelta(seconds=1))
    stalled = _rows(1, state="running", locked_until=now - timedelta(seconds=1))
    _rows(1, due_at=now + timedelta(minutes=5))  # not yet due
    _rows(1, locked_until=now + timedelta(minutes=5))  # leased to a live worker
    _rows(1, state="done")

    claimed = claim_due(ProductImport, ["pending", "running"], 100, 60, now=now)

    assert sorted(claimed) == sorted(free + due_past + stalled)
    leases = set(ProductImport.objects.filter(pk__in=claimed).values_list("locked_until", flat=True))
    assert leases == {now + timedelta(seconds=60)}
    # Leased now: a second claimant at the same moment gets nothing.
    assert claim_due(ProductImport, ["pending", "running"], 100, 60, now=now) == []
    # Once the lease runs out they count as stalled and are claimed again.
    assert (
        len(claim_due(ProductImport, ["pending", "running"], 100, 60, now=now + timedelta(seconds=61))) == 4
    )


def test_claim_due_respects_limit_and_state():
    _rows(5)
    assert len(claim_due(ProductImport, ["pending"], 3, 60)) == 3
    assert claim_due(ProductImport, ["running"], 10, 60) == []


def test_claim_row_counts_an_attempt_and_accepts_only_its_own_lease():
    now = timezone.now()
    (pk,) = _rows(1)
    swept = claim_due(ProductImport, ["pending"], 1, 60, now=now)
    held = now + timedelta(seconds=60)
    assert swept == [pk]
    assert claim_row(ProductImport, pk, ["pending"], 60, now=now) is None  # someone else's lease
    assert claim_row(ProductImport, pk, ["pending"], 60, held=now, now=now) is None  # a wrong token
    lease = claim_row(ProductImport, pk, ["pending"], 120, held=held, now=now)
    assert lease == now + timedelta(seconds=120)
    assert ProductImport.objects.get(pk=pk).state_attempts == 1
    assert not release(ProductImport, pk, held) and release(ProductImport, pk, lease)
    assert ProductImport.objects.get(pk=pk).locked_until is None


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="SKIP LOCKED needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_claim_due_two_connections_claim_disjoint_rows():
    pks = _rows(40)
    claim = functools.partial(claim_due, ProductImport, ["pending"], 25, 60)
    results = at_once(claim, claim)

    assert raised(results) == []
    first, second = results
    assert not set(first) & set(second)
    assert sorted(first + second) == sorted(pks)  # 25 + 15: one skipped the other's locked rows
