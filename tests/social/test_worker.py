"""A real Celery worker killed with SIGKILL in the middle of a flow: after a restart the flow
completes, and every step and effect happened exactly once."""

import os
import time

import pytest
import redis

from social.models import Activity, Flow, FlowEffect, FlowStep, StaffNotification
from tests.factories.social import blog_post, publish
from tests.workers import Worker, celery_on_broker

BROKER = os.environ.get("SOCIAL_TEST_BROKER_URL", "redis://127.0.0.1:6379/2")  # the social suite's db
SETTINGS = "config.settings.test"

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def on_broker(settings):
    """This process sends tasks to the real broker (not eagerly) and uses the Celery runner."""
    settings.SOCIAL_FLOW_RUNNER = "social.engine.CeleryRunner"
    settings.SOCIAL_TRANSPORT = "social.transport_log.ActivityLogTransport"
    with celery_on_broker(BROKER) as app:
        yield app


def worker(name: str, log, **env: str) -> Worker:
    return Worker(name, log, BROKER, SETTINGS, SOCIAL_FLOW_RUNNER="social.engine.CeleryRunner", **env)


def test_worker_killed_mid_flow_restarted_completes_flow_exactly_once(on_broker, tmp_path):
    from social.tasks import flows_resume_stalled_task

    marker = tmp_path / "deliver-started"
    first = worker(
        "dag-first",
        tmp_path / "first.log",
        SOCIAL_TRANSPORT="tests.social.transports.StallingTransport",
        SOCIAL_TEST_STALL_MARKER=str(marker),
        SOCIAL_TEST_STALL_SECONDS="120",
    )
    second = None
    try:
        post = blog_post(title="Storm warning", urgent=True)
        publish(post)  # commits: the runner enqueues the flow's first step on the real broker
        flow = Flow.objects.get(object_key=f"page:{post.pk}")

        queued = redis.Redis.from_url(BROKER).llen("celery")
        # The worker runs validate, compose, route and notify, then stalls inside deliver.
        what = f"the deliver step to start ({queued} message(s) queued at publish)"
        first.wait_for(marker.exists, 120, what)
        first.kill()

        flow.refresh_from_db()
        assert flow.status == "running" and flow.path == ["validate", "compose", "route", "notify"]
        deliver = FlowStep.objects.get(flow=flow, name="deliver")
        assert (deliver.status, deliver.attempts) == ("running", 1)
        assert not FlowEffect.objects.filter(flow=flow, kind="schedule_delivery").exists()

        second = worker(
            "dag-second",
            tmp_path / "second.log",
            SOCIAL_TRANSPORT="social.transport_log.ActivityLogTransport",
            SOCIAL_FLOW_STALL_SECONDS="2",
        )
        time.sleep(2.5)  # let the dead worker's claim lapse
        flows_resume_stalled_task.delay()  # what beat sends every minute

        def finished():
            flow.refresh_from_db()
            return flow.status not in Flow.ACTIVE

        second.wait_for(finished, 90, "the flow to finish after the restart")
        assert flow.status == "succeeded", flow.error
        assert flow.path == ["validate", "compose", "route", "notify", "deliver"]
        steps = {step.name: step for step in flow.steps.all()}
        assert {name: step.status for name, step in steps.items()} == dict.fromkeys(flow.path, "done")
        assert steps["deliver"].attempts == 2 and steps["compose"].attempts == 1
        assert sorted(FlowEffect.objects.filter(flow=flow).values_list("kind", flat=True)) == [
            "notify",
            "record_activity",
            "schedule_delivery",
        ]
        activity = Activity.objects.get(flow=flow)
        assert activity.transport == "activity-log" and activity.transported_at is not None
        assert Activity.objects.filter(object_key=f"page:{post.pk}").count() == 1
        assert StaffNotification.objects.filter(flow=flow).count() == 1
    finally:
        first.kill()
        if second is not None:
            second.kill()
