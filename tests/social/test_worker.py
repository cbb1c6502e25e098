"""A real Celery worker killed with SIGKILL while it posts a flow's activity: after a restart the
activity reaches the remote, and every step, effect and delivery row exists exactly once.

The worker runs the production chain: the flow's steps record the activity and schedule its delivery
(database only, no network inside a step), then the delivery task POSTs it, signed, to a recording
receiver of ours on 127.0.0.1 that holds the request unanswered, as a stuck remote does. The test
kills the worker there, the one place a worker waits on the outside world."""

import os
import time

import pytest
import redis

from social.federation.models import Activity, Delivery, DeliveryAttempt
from social.models import Flow, FlowEffect, StaffNotification
from tests.factories.social import blog_post, publish
from tests.social.conftest import follow_blog
from tests.social.federation.fake_remote import FakeRemote
from tests.workers import Worker, celery_on_broker, own_redis_url

BROKER = os.environ.get("SOCIAL_TEST_BROKER_URL") or own_redis_url(2)  # the social suite's db
SETTINGS = "config.settings.test"
LEASE_SECONDS = 3  # the killed worker's claim on the delivery lapses this soon, so the sweep retries it

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def on_broker(settings):
    """This process sends tasks to the real broker (not eagerly) and uses the Celery runner."""
    settings.SOCIAL_FLOW_RUNNER = "social.runners.CeleryRunner"
    with celery_on_broker(BROKER) as app:
        yield app


@pytest.fixture
def holding_remote():
    with FakeRemote() as remote:
        follow_blog(remote)
        remote.hold(seconds=120)
        yield remote


def worker(name: str, log, **env: str) -> Worker:
    return Worker(
        name,
        log,
        BROKER,
        SETTINGS,
        SOCIAL_FLOW_RUNNER="social.runners.CeleryRunner",
        FEDERATION_DELIVERY_LEASE_SECONDS=str(LEASE_SECONDS),
        **env,
    )


def test_worker_killed_mid_post_restarted_delivers_exactly_once(on_broker, holding_remote, tmp_path):
    from durable.tasks import sweep as durable_sweep_task

    first = worker("dag-first", tmp_path / "first.log")
    second = None
    try:
        post = blog_post(title="Storm warning", urgent=True)
        publish(post)  # commits: the runner enqueues the flow's first step on the real broker
        flow = Flow.objects.get(object_key=f"page:{post.pk}")

        queued = redis.Redis.from_url(BROKER).llen("celery")
        # The worker runs validate, compose, route, notify and deliver, then POSTs and waits.
        what = f"the Create's POST to reach the receiver ({queued} message(s) queued at publish)"
        first.wait_for(holding_remote.holding.is_set, 120, what)
        # The POST is its own task, queued when deliver commits: under load it can reach the receiver
        # before the flow's last write lands. Kill the worker mid-POST, not mid-flow.
        first.wait_for(lambda: Flow.objects.filter(pk=flow.pk, status="succeeded").exists(), 60, "the flow")
        first.kill()
        holding_remote.release()  # answers nobody: the sender is dead

        flow.refresh_from_db()
        assert flow.status == "succeeded" and flow.path == [
            "validate",
            "compose",
            "route",
            "notify",
            "deliver",
        ]
        activity = Activity.objects.get(flow_id=flow.pk)
        delivery = Delivery.objects.get(activity=activity)
        assert (delivery.state, delivery.state_attempts) == ("pending", 1)  # claimed, its POST never answered
        assert not DeliveryAttempt.objects.filter(delivery=delivery).exists()
        assert holding_remote.received == []

        second = worker("dag-second", tmp_path / "second.log")
        time.sleep(LEASE_SECONDS + 0.5)  # let the dead worker's lease on the delivery lapse
        durable_sweep_task.delay()  # what beat sends every minute

        def delivered():
            delivery.refresh_from_db()
            return delivery.state == "delivered"

        second.wait_for(delivered, 90, "the delivery to succeed after the restart")
        received = holding_remote.wait_for(lambda a: a["type"] == "Create")
        assert received["activity"]["id"] == activity.data["id"]
        # At least once on the wire (the held POST, then the retry), exactly once in our rows.
        assert [h["activity"]["id"] for h in holding_remote.held] == [activity.data["id"]]
        assert len(holding_remote.received) == 1
        assert list(DeliveryAttempt.objects.filter(delivery=delivery).values_list("status", flat=True)) == [
            202
        ]
        steps = {step.name: step for step in flow.steps.all()}
        assert {name: (step.status, step.attempts) for name, step in steps.items()} == dict.fromkeys(
            flow.path, ("done", 1)
        )
        assert sorted(FlowEffect.objects.filter(flow=flow).values_list("kind", flat=True)) == [
            "notify",
            "record_activity",
            "schedule_delivery",
        ]
        assert Activity.objects.filter(object__object_key=f"page:{post.pk}").count() == 1
        assert StaffNotification.objects.filter(flow=flow).count() == 1
    finally:
        first.kill()
        if second is not None:
            second.kill()
