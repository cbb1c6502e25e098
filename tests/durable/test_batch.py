"""States worked in batches: one claim and one handler call for many rows, each outcome recorded as it
comes; the sweep and `advance_batches_on_commit` hand out one task per batch. The rows are federation's
deliveries, the one batch-worked model, posted to a real HTTP receiver of ours, to a port where nothing
listens, or not at all (a dead or blocked host)."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, connection
from django.utils import timezone

from durable import runner
from durable.batch import advance_batch
from durable.claim import claim_due, claim_rows
from durable.models import Transition
from social.federation import ids
from social.federation.actors import host_for, local_actor_get
from social.federation.delivery import activity_record
from social.federation.models import Delivery, DeliveryAttempt, DomainBlock, Host
from tests.conftest import free_port
from tests.social.federation.fake_remote import FakeRemote

pytestmark = pytest.mark.django_db

GRAPH = Delivery.state_graph


@pytest.fixture
def activity(settings):
    settings.SITE_URL = "http://127.0.0.1:8000"
    data = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "http://127.0.0.1:8000/ap/activities/batch",
        "type": "Note",
        "actor": "http://127.0.0.1:8000/ap/users/blog",
    }
    return activity_record(activity_id="batch", actor=local_actor_get("blog"), data=data)[0]


def deliveries(activity, inboxes: list[str], **fields) -> list[int]:
    """Rows made here rather than by deliveries_create, so no task runs: the test works the batch."""
    Delivery.objects.bulk_create(
        [Delivery(activity=activity, inbox=inbox, host=host_for(inbox), **fields) for inbox in inboxes]
    )
    return list(Delivery.objects.filter(inbox__in=inboxes).order_by("pk").values_list("pk", flat=True))


def dead_inboxes(n: int) -> list[str]:
    Host.objects.update_or_create(domain="dead.example", defaults={"dead": True})
    return [f"https://dead.example/users/u{i}/inbox" for i in range(n)]


def test_advance_batch_claims_once_posts_each_row_and_records_each_outcome(activity):
    unreachable = f"http://127.0.0.1:{free_port()}/inbox"  # nothing listens there
    with FakeRemote() as remote:
        blog = local_actor_get("blog")
        remote.trust(ids.actor_key_id("blog"), ids.actor_id("blog"), blog.public_key_pem)
        pks = deliveries(activity, [f"{remote.base}/inbox", unreachable, *dead_inboxes(1)])
        outcomes = advance_batch(Delivery, pks)
    assert list(outcomes.values()) == ["delivered", "pending", "dead_host"]
    rows = {row.pk: row for row in Delivery.objects.filter(pk__in=pks)}
    delivered, retried, dead = (rows[pk] for pk in pks)
    assert (delivered.last_status, delivered.locked_until, delivered.state_attempts) == (202, None, 0)
    assert delivered.delivered is not None and delivered.attempt_log.get().status == 202
    # A failed POST: the retry policy's first delay, the try counted, the error kept, the lease given back.
    assert retried.state_attempts == 1 and retried.locked_until is None and retried.last_error
    assert timedelta(seconds=59) < retried.due_at - timezone.now() < timedelta(seconds=61)
    assert retried.attempt_log.count() == 1
    assert not dead.attempt_log.exists()  # a dead host is not tried
    # The queue may hand the same batch over twice: the second claims nothing and posts nothing.
    assert advance_batch(Delivery, pks) == {}
    assert DeliveryAttempt.objects.count() == 2 and len(remote.received) == 1
    # Each row's history line names what happened to it, whatever attempt logs came with it.
    history = Transition.objects.filter(model_label="federation.delivery").order_by("object_pk")
    assert sorted(history.values_list("kind", "to_state")) == [
        ("move", "dead_host"),
        ("move", "delivered"),
        ("retry", "pending"),
    ]


def test_advance_batch_gives_up_once_the_policy_expires(activity):
    [pk] = deliveries(activity, [f"http://127.0.0.1:{free_port()}/inbox"])
    entered = timezone.now() - timedelta(seconds=GRAPH.pending.retry.give_up_after + 1)
    Delivery.objects.filter(pk=pk).update(state_changed_at=entered)
    assert advance_batch(Delivery, [pk]) == {pk: "failed"}
    row = Delivery.objects.get(pk=pk)
    assert row.last_error and row.attempt_log.count() == 1 and row.due_at is None


def test_advance_batch_answer_outside_the_graph_is_a_failed_try_not_a_move(activity):
    """A handler's own verdict must be a transition: a blocked server is `failed`, which pending allows."""
    DomainBlock.objects.create(domain="evil.example")
    [pk] = deliveries(activity, ["https://evil.example/inbox"])
    assert advance_batch(Delivery, [pk]) == {pk: "failed"}
    assert Delivery.objects.get(pk=pk).last_error == "the server is blocked"


def test_advance_batch_fails_a_row_its_workers_keep_dying_on_without_working_it(activity):
    with FakeRemote() as remote:
        [pk] = deliveries(activity, [f"{remote.base}/inbox"])
        stalled = GRAPH.pending.retry.max_attempts
        Delivery.objects.filter(pk=pk).update(state_attempts=stalled, locked_until=timezone.now())
        assert advance_batch(Delivery, [pk]) == {pk: "failed"}
        assert not remote.received
    assert "stalled" in Delivery.objects.get(pk=pk).last_error


def test_advance_on_a_batch_state_runs_the_batch_handler_for_one_row(activity):
    [pk] = deliveries(activity, dead_inboxes(1))
    assert runner.advance(Delivery, pk) == "dead_host"


def test_claim_rows_takes_only_due_free_rows_of_the_batch_and_counts_a_try(activity):
    now = timezone.now()
    pks = deliveries(activity, dead_inboxes(5))
    other = deliveries(activity, ["https://elsewhere.example/inbox"])
    Delivery.objects.filter(pk=pks[0]).update(due_at=now + timedelta(minutes=1))  # not due yet
    Delivery.objects.filter(pk=pks[1]).update(locked_until=now + timedelta(minutes=1))  # a live worker's
    Delivery.objects.filter(pk=pks[2]).update(locked_until=now - timedelta(seconds=1))  # its worker died
    Delivery.objects.filter(pk=pks[3]).update(state="delivered")

    claimed = claim_rows(Delivery, pks, ["pending"], 60, now=now)

    assert claimed == [pks[2], pks[4]]
    leased = Delivery.objects.filter(pk__in=claimed)
    assert {(row.locked_until, row.state_attempts) for row in leased} == {(now + timedelta(seconds=60), 1)}
    assert claim_rows(Delivery, pks, ["pending"], 60, now=now) == []
    assert Delivery.objects.get(pk=other[0]).locked_until is None  # not in the batch: not touched


def test_claim_rows_with_the_sweeps_lease_takes_the_rows_the_sweep_leased(activity):
    now = timezone.now()
    pks = deliveries(activity, dead_inboxes(3))
    assert claim_due(Delivery, ["pending"], 10, 60, now=now) == pks
    assert claim_rows(Delivery, pks, ["pending"], 60, now=now) == []  # leased: not anyone's
    held = now + timedelta(seconds=60)
    assert claim_rows(Delivery, pks, ["pending"], 60, held=held, now=now) == pks


def test_sweep_hands_due_and_stalled_batch_rows_to_one_task_per_batch(
    activity, django_capture_on_commit_callbacks
):
    size = GRAPH.pending.batch
    pks = deliveries(activity, dead_inboxes(2 * size + 5))
    Delivery.objects.filter(pk=pks[0]).update(locked_until=timezone.now() - timedelta(seconds=1))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert runner.sweep() == len(pks)
    assert len(callbacks) == 3  # 20, 20 and 5 rows: three messages, not 45
    assert set(Delivery.objects.values_list("state", flat=True)) == {"dead_host"}  # tasks run eagerly


def test_advance_batches_on_commit_enqueues_one_task_per_batch(activity, django_capture_on_commit_callbacks):
    pks = deliveries(activity, dead_inboxes(GRAPH.pending.batch + 1))
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        runner.advance_batches_on_commit(Delivery, pks)
    assert len(callbacks) == 1  # one callback enqueuing both batches after commit
    assert set(Delivery.objects.values_list("state", flat=True)) == {"dead_host"}


def test_run_due_works_batch_states_here(activity):
    pks = deliveries(activity, dead_inboxes(3))
    assert runner.run_due(Delivery) == {"dead_host": 3}
    assert runner.run_due(Delivery) == {}
    assert Delivery.objects.filter(pk__in=pks, state="dead_host").count() == 3


def test_restart_moves_a_finished_row_back_to_the_start_unless_a_worker_holds_it(activity):
    [done, held] = deliveries(activity, dead_inboxes(2), state="failed", state_attempts=3)
    lease = timezone.now() + timedelta(minutes=1)
    Delivery.objects.filter(pk=held).update(state="pending", locked_until=lease)
    row = Delivery.objects.get(pk=done)
    row.restart()
    row.refresh_from_db()
    assert (row.state, row.state_attempts, row.due_at, row.last_error) == ("pending", 0, None, "")
    Delivery.objects.get(pk=held).restart()
    assert Delivery.objects.get(pk=held).locked_until == lease


@pytest.fixture
def attempt_log_refused():
    """A database that refuses to record any delivery attempt: the record itself fails mid-batch."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION durable_refuse() RETURNS trigger AS $$ BEGIN "
                "RAISE EXCEPTION 'refused'; END; $$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER durable_refuse BEFORE INSERT ON federation_deliveryattempt "
                "FOR EACH ROW EXECUTE FUNCTION durable_refuse()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER durable_refuse BEFORE INSERT ON federation_deliveryattempt "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )


def test_advance_batch_database_failing_mid_batch_leaves_the_rows_leased_for_the_sweep(
    activity, attempt_log_refused
):
    """Not delayed by the retry policy: once the lease runs out the next sweep hands them on at once."""
    unreachable = [f"http://127.0.0.1:{free_port()}/inbox{n}" for n in range(2)]
    pks = deliveries(activity, unreachable)
    with pytest.raises(DatabaseError):
        advance_batch(Delivery, pks)
    rows = Delivery.objects.filter(pk__in=pks)
    assert {(row.state, row.state_attempts, row.due_at) for row in rows} == {("pending", 1, None)}
    assert all(row.locked_until > timezone.now() for row in rows)
