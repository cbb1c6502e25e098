"""The one runner: handlers run, outcomes are recorded under the lease, failures retry then fail; the sweep
resumes stalled rows (a worker SIGKILLed mid-import) through the real task."""

from datetime import timedelta

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from commerce.models import ProductImport
from durable import runner
from durable.graph import StateGraphError
from durable.models import TransitionRefused

StockRecord = get_model("partner", "StockRecord")
pytestmark = pytest.mark.django_db

BOOM_FEED = b'[{"sku": "BOOM", "title": "Leeks", "price": "1.20"}]'


def test_transition_undeclared_refused(make_import):
    product_import = make_import()
    with pytest.raises(TransitionRefused, match="'pending' cannot move to 'done'"):
        product_import.transition("done")


def test_transition_from_a_stale_copy_refused_so_only_one_process_moves_it(make_import):
    first = make_import()
    second = ProductImport.objects.get(pk=first.pk)
    first.transition("running")
    with pytest.raises(TransitionRefused, match="no longer 'pending'"):
        second.transition("running")
    assert ProductImport.objects.get(pk=first.pk).state == "running"


def test_advance_works_every_handler_state_until_it_rests(make_import):
    product_import = make_import()
    assert runner.advance(ProductImport, product_import.pk) == "done"
    product_import.refresh_from_db()
    assert (product_import.state, product_import.locked_until, product_import.state_attempts) == (
        "done",
        None,
        0,
    )
    assert StockRecord.objects.get(partner_sku="D-1").num_in_stock == 3


def test_advance_handler_error_retries_later_then_fails_when_exhausted(
    make_import, stock_record_insert_fails_for_boom
):
    product_import = make_import(BOOM_FEED)
    now = timezone.now()
    assert runner.advance(ProductImport, product_import.pk, now=now) == "running"
    product_import.refresh_from_db()
    assert product_import.state_attempts == 1 and "boom" in product_import.last_error
    assert product_import.due_at > now and product_import.locked_until is None
    # Not due yet: nothing happens.
    assert runner.advance(ProductImport, product_import.pk, now=now) == "running"
    assert ProductImport.objects.get(pk=product_import.pk).state_attempts == 1
    policy = ProductImport.state_graph.running.retry
    for _ in range(policy.max_attempts - 1):
        now += timedelta(seconds=policy.cap_seconds * 2)
        state = runner.advance(ProductImport, product_import.pk, now=now)
    product_import.refresh_from_db()
    assert state == product_import.state == "failed"
    assert "boom" in product_import.last_error and not StockRecord.objects.exists()


def test_advance_row_leased_to_a_live_worker_left_alone(make_import):
    product_import = make_import(locked_until=timezone.now() + timedelta(minutes=5))
    assert runner.advance(ProductImport, product_import.pk) == "pending"
    assert not StockRecord.objects.exists()


def test_sweep_resumes_an_import_whose_worker_died_mid_run(make_import, django_capture_on_commit_callbacks):
    # What a SIGKILLed worker leaves behind: `running`, one attempt used, its lease run out.
    dead = make_import(state="running", state_attempts=1, locked_until=timezone.now() - timedelta(seconds=1))
    live = make_import(state="running", locked_until=timezone.now() + timedelta(minutes=10))

    with django_capture_on_commit_callbacks() as callbacks:
        assert runner.sweep() == 1
    assert len(callbacks) == 1  # one durable.advance task for the stalled row, none for the live one
    with django_capture_on_commit_callbacks(execute=True):
        callbacks[0]()  # the commit happens: the (eager) durable.advance task runs

    dead.refresh_from_db()
    assert (dead.state, dead.created_count, dead.locked_until) == ("done", 1, None)
    assert StockRecord.objects.get(partner_sku="D-1").num_in_stock == 3
    assert ProductImport.objects.get(pk=live.pk).state == "running"


def test_sweep_row_that_keeps_killing_workers_ends_failed(make_import):
    policy = ProductImport.state_graph.running.retry
    stalled = make_import(
        state="running",
        state_attempts=policy.max_attempts,
        locked_until=timezone.now() - timedelta(seconds=1),
    )
    assert runner.run_due(ProductImport) == {"failed": 1}
    stalled.refresh_from_db()
    assert stalled.state == "failed" and stalled.last_error.startswith("stalled:")
    assert not StockRecord.objects.exists()


def test_stateful_models_registry_finds_the_moved_models():
    labels = {model._meta.label for model in runner.stateful_models()}
    moved = {"commerce.ProductImport", "events.BookingReminder", "events.TicketRefund"}
    moved.add("accounts.NewsletterDelivery")
    assert moved <= labels


def test_wake_makes_a_resting_row_due_now_but_leaves_one_a_worker_holds(make_import):
    later = timezone.now() + timedelta(hours=1)
    resting = make_import(due_at=later)
    held = make_import(due_at=later, locked_until=timezone.now() + timedelta(minutes=5))
    finished = make_import(state="done")

    assert runner.wake(ProductImport, resting.pk)
    assert not runner.wake(ProductImport, held.pk)  # its worker records its own result
    assert not runner.wake(ProductImport, finished.pk)  # a terminal row has nothing to work
    assert ProductImport.objects.get(pk=resting.pk).due_at is None
    assert ProductImport.objects.get(pk=held.pk).due_at == later


def test_wake_to_a_state_moves_only_where_the_graph_allows(make_import):
    product_import = make_import(state_attempts=2, last_error="boom")
    with pytest.raises(StateGraphError, match="no worked state moves to 'pending'"):
        runner.wake(ProductImport, product_import.pk, to="pending")
    assert runner.wake(ProductImport, product_import.pk, to="running")
    product_import.refresh_from_db()
    moved = (product_import.state, product_import.state_attempts, product_import.last_error)
    assert moved == ("running", 0, "")
