"""Faults in the middle of a fan-out, with real processes: the queue's Redis restarted (every queued
message lost), a worker SIGKILLed mid-batch, PostgreSQL connections terminated. The database is the
truth, so after the sweep every inbox has the activity once and every delivery row is delivered once."""

import os
import time
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection

from durable.tasks import sweep as durable_sweep_task
from social.federation.actors import local_actor_get
from social.federation.delivery import activity_send
from social.federation.models import Delivery, DeliveryAttempt
from tests.conftest import free_port
from tests.factories.federation import note_create
from tests.workers import RedisServer, Worker, celery_on_broker

from .fake_remote import FakeRemote

INBOXES = 200

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def broker():
    """A Redis of this test's own, so it can be restarted without touching the machine's."""
    server = RedisServer(free_port())
    server.start()
    try:
        with celery_on_broker(server.url) as app:
            yield server, app
    finally:
        server.stop()


@pytest.fixture
def site(live_server, settings):
    settings.SITE_URL = live_server.url
    settings.SITE_HOST = live_server.url.split("//")[1]
    return live_server.url


def _worker(name: str, tmp_path, broker_url: str, site: str, **env: str) -> Worker:
    return Worker(f"{name}-{os.getpid()}", tmp_path / f"{name}.log", broker_url, "config.settings.test",
                  SITE_URL=site, **env)  # fmt: skip


def _fan_out(remote: FakeRemote) -> tuple[str, list[str]]:
    """A Note from @blog to INBOXES personal inboxes on the fake remote; returns its id and the inboxes."""
    inboxes = [f"{remote.base}/users/u{n}/inbox" for n in range(INBOXES)]
    actor = local_actor_get("blog")
    activity_id, data = note_create()
    activity_send(actor=actor, data=data, inboxes=inboxes, activity_id=activity_id)  # enqueued on commit
    return activity_id, inboxes


def _received(remote: FakeRemote, activity_id: str) -> Counter:
    with remote.lock:
        return Counter(r["path"] for r in remote.received if r["activity"]["id"] == activity_id)


def _all_delivered(activity_id: str) -> bool:
    return not Delivery.objects.filter(activity__activity_id=activity_id).exclude(state="delivered").exists()


def test_redis_restarted_mid_fan_out_every_inbox_gets_the_activity_once_after_the_sweep(
    broker, site, tmp_path
):
    server, app = broker
    worker = _worker("fan-out", tmp_path, server.url, site)
    try:
        with FakeRemote(cache_keys=True) as remote:
            remote.post_delay = 0.02  # a fan-out of a few seconds, so the restart lands in its middle
            activity_id, inboxes = _fan_out(remote)
            worker.wait_for(lambda: sum(_received(remote, activity_id).values()) >= 40, 90, "40 inboxes")
            server.restart()  # every queued batch is gone; the one the worker is walking finishes
            app._pool, app.amqp._producer_pool = None, None  # this process's connections died with it
            lost = Delivery.objects.filter(activity__activity_id=activity_id, state="pending").count()
            assert lost > INBOXES // 2  # the restart really did land mid-fan-out

            durable_sweep_task.delay()  # what beat sends every minute, on the restarted Redis
            worker.wait_for(lambda: _all_delivered(activity_id), 120, "every delivery after the sweep")
            time.sleep(1)  # anything sent twice would arrive now
            received = _received(remote, activity_id)
            assert received == Counter({inbox.removeprefix(remote.base): 1 for inbox in inboxes})
            assert not remote.rejected
    finally:
        worker.kill()
    successes = DeliveryAttempt.objects.filter(delivery__activity__activity_id=activity_id, status=202)
    assert successes.count() == INBOXES


def test_worker_killed_mid_batch_every_delivery_completes_once_after_the_lease(broker, site, tmp_path):
    server, _app = broker
    lease = {"FEDERATION_DELIVERY_LEASE_SECONDS": "3"}  # seconds a claimed delivery stays its worker's
    first = _worker("first", tmp_path, server.url, site, **lease)
    second = None
    try:
        with FakeRemote(cache_keys=True) as remote:
            remote.post_delay = 0.05
            activity_id, inboxes = _fan_out(remote)
            first.wait_for(lambda: sum(_received(remote, activity_id).values()) >= 30, 90, "30 inboxes")
            first.kill()  # SIGKILL, mid-batch: its claimed, unsent deliveries must not be lost
            in_flight = Delivery.objects.filter(
                activity__activity_id=activity_id, state="pending", state_attempts__gt=0
            ).count()
            assert in_flight  # rows the dead worker had claimed and not finished
            second = _worker("second", tmp_path, server.url, site, **lease)
            time.sleep(3.5)  # the dead worker's lease runs out
            durable_sweep_task.delay()
            second.wait_for(lambda: _all_delivered(activity_id), 120, "every delivery after the restart")
            time.sleep(1)
            received = _received(remote, activity_id)
            assert set(received) == {inbox.removeprefix(remote.base) for inbox in inboxes}
            # The one POST on the wire when the worker died may arrive twice (the worker could not
            # record it); a receiver drops the copy by the activity's id. Nothing else repeats.
            assert sum(received.values()) - INBOXES <= 1
    finally:
        first.kill()
        if second:
            second.kill()
    successes = Counter(
        DeliveryAttempt.objects.filter(delivery__activity__activity_id=activity_id, status=202).values_list(
            "delivery_id", flat=True
        )
    )
    assert len(successes) == INBOXES and set(successes.values()) == {1}


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="pg_terminate_backend needs PostgreSQL")
def test_database_connections_killed_mid_fan_out_every_delivery_completes_once(broker, site, tmp_path):
    server, _app = broker
    lease = {"FEDERATION_DELIVERY_LEASE_SECONDS": "3"}
    worker = _worker("pg-killed", tmp_path, server.url, site, **lease)
    try:
        with FakeRemote(cache_keys=True) as remote:
            remote.post_delay = 0.05
            activity_id, inboxes = _fan_out(remote)
            worker.wait_for(lambda: sum(_received(remote, activity_id).values()) >= 30, 90, "30 inboxes")
            with connection.cursor() as cursor:  # every other session on the test database: the worker's
                cursor.execute(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
                assert cursor.fetchone()[0] >= 1
            time.sleep(3.5)  # the lease of whatever the broken batch had claimed runs out
            durable_sweep_task.delay()
            worker.wait_for(lambda: _all_delivered(activity_id), 120, "every delivery after the kill")
            time.sleep(1)
            received = _received(remote, activity_id)
            assert set(received) == {inbox.removeprefix(remote.base) for inbox in inboxes}
            assert sum(received.values()) - INBOXES <= 1  # only a POST whose record the kill broke
    finally:
        worker.kill()
    successes = Counter(
        DeliveryAttempt.objects.filter(delivery__activity__activity_id=activity_id, status=202).values_list(
            "delivery_id", flat=True
        )
    )
    assert len(successes) == INBOXES and set(successes.values()) == {1}
