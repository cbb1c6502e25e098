"""A publish flow whose worker loses its PostgreSQL connections (pg_terminate_backend) while the flow
runs and while its deliveries go out: after the sweeps, the flow has run each step once, made one
Create, and every follower's inbox has it once."""

import os
import time
from collections import Counter

import pytest
from django.conf import settings
from django.db import connection

from durable.tasks import sweep as durable_sweep_task
from social.federation.actors import local_actor_get
from social.federation.models import Activity, Delivery, DeliveryAttempt, Follow, RemoteActor
from social.models import Flow, FlowEffect, FlowStep
from tests.conftest import free_port
from tests.factories.social import blog_post, publish
from tests.social.conftest import follow_blog
from tests.workers import RedisServer, Worker, celery_on_broker

from .federation.fake_remote import FakeRemote

FOLLOWERS = 60
KILLS = 10

pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not settings.USING_POSTGRES, reason="pg_terminate_backend needs PostgreSQL"),
]


@pytest.fixture
def broker():
    server = RedisServer(free_port())
    server.start()
    try:
        with celery_on_broker(server.url) as app:
            yield server.url, app
    finally:
        server.stop()


def _followers(remote: FakeRemote) -> list[str]:
    """FOLLOWERS accounts on the remote, each with a personal inbox only: one delivery row each."""
    blog = local_actor_get("blog")
    follow_blog(remote, "u0")  # also makes the remote trust @blog's key
    RemoteActor.objects.filter(username="u0").update(shared_inbox="")
    for n in range(1, FOLLOWERS):
        uri = remote.actor_uri(f"u{n}")
        actor = RemoteActor.objects.create(
            uri=uri, domain=f"127.0.0.1:{remote.port}", username=f"u{n}", inbox=f"{uri}/inbox",
            public_key_pem=remote.public_pem,
        )  # fmt: skip
        Follow.objects.create(local_actor=blog, remote_actor=actor, state=Follow.State.ACCEPTED)
    return [f"{remote.actor_uri(f'u{n}')}/inbox".removeprefix(remote.base) for n in range(FOLLOWERS)]


def _terminate_other_sessions() -> int:
    """Every other session on the test database: the worker's (and the live server's, if any)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0]


def test_database_connections_killed_mid_publish_flow_each_step_and_delivery_once(broker, settings, tmp_path):
    broker_url, _app = broker
    settings.SOCIAL_FLOW_RUNNER = "social.runners.CeleryRunner"
    worker = Worker(
        f"flow-faults-{os.getpid()}", tmp_path / "worker.log", broker_url, "config.settings.test",
        SITE_URL=settings.SITE_URL, SOCIAL_FLOW_STALL_SECONDS="2", FEDERATION_DELIVERY_LEASE_SECONDS="3",
    )  # fmt: skip
    kills: list[int] = []
    try:
        with FakeRemote(cache_keys=True) as remote:
            remote.post_delay = 0.05  # a fan-out of a few seconds, so kills land in its middle too
            inboxes = _followers(remote)
            worker.wait_for(lambda: "ready." in worker.log.read_text(), 90, "the worker to start")
            post = publish(blog_post(title="Survives a database restart"))
            flow = Flow.objects.get(page_id=post.pk)
            delivered = Delivery.objects.filter(activity__flow_id=flow.pk, state=Delivery.State.DELIVERED)
            # Kills through the flow's steps and into its fan-out, until half the inboxes have it.
            while len(kills) < KILLS and delivered.count() < FOLLOWERS // 2:
                time.sleep(0.3)
                kills.append(_terminate_other_sessions())

            def settled() -> bool:
                # What beat sends every half minute, sooner: the one sweep resumes stalled flows and
                # retries due deliveries.
                durable_sweep_task.delay()
                time.sleep(1)
                flow.refresh_from_db()
                deliveries = Delivery.objects.filter(activity__flow_id=flow.pk)
                return (
                    flow.status == Flow.Status.SUCCEEDED
                    and deliveries.count() == FOLLOWERS
                    and not deliveries.exclude(state=Delivery.State.DELIVERED).exists()
                )

            worker.wait_for(settled, 150, "the flow and every delivery after the kills")
            time.sleep(1)  # anything sent twice would arrive now
            with remote.lock:
                received = Counter(r["path"] for r in remote.received if r["activity"]["type"] == "Create")
    finally:
        worker.kill()

    assert sum(kills) >= 1
    assert "terminating connection" in worker.log.read_text()  # a kill really hit the worker mid-task
    steps = Counter(FlowStep.objects.filter(flow=flow, status="done").values_list("name", flat=True))
    assert steps and set(steps.values()) == {1}, steps
    assert Activity.objects.filter(flow_id=flow.pk, activity_type="Create").count() == 1
    assert FlowEffect.objects.filter(flow=flow).exclude(status="done").count() == 0
    assert set(received) == set(inboxes)
    # A POST on the wire when a kill broke its record may arrive twice (a receiver drops the copy by
    # the activity's id); at most one per kill, since the worker posts one at a time. Nothing else repeats.
    assert sum(received.values()) - FOLLOWERS <= KILLS
    successes = Counter(
        DeliveryAttempt.objects.filter(delivery__activity__flow_id=flow.pk, status=202).values_list(
            "delivery_id", flat=True
        )
    )
    assert len(successes) == FOLLOWERS and set(successes.values()) == {1}
