"""A real Celery worker killed with SIGKILL in the middle of a flow: after a restart the flow
completes, and every step and effect happened exactly once."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connection

from social.models import Activity, Flow, FlowEffect, FlowStep, StaffNotification
from tests.factories.social import blog_post, publish

BROKER = os.environ.get("SOCIAL_TEST_BROKER_URL", "redis://127.0.0.1:6379/2")
CELERY = str(Path(sys.executable).with_name("celery"))

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    """The URL of the test database this process uses, for the worker subprocess to share."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, name: str, log: Path, **env: str):
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "REDIS_URL": BROKER,
            "SOCIAL_FLOW_RUNNER": "social.engine.CeleryRunner",
            **env,
        }
        self.log = log
        self.process = subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=info",
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)


def wait_for(predicate, timeout: float, what: str, worker: Worker):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if worker.process.poll() is not None:
            pytest.fail(f"worker exited while waiting for {what}:\n{worker.log.read_text()[-3000:]}")
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}:\n{worker.log.read_text()[-3000:]}")


@pytest.fixture
def celery_on_broker(settings):
    """This process sends tasks to the real broker (not eagerly) and uses the Celery runner."""
    from config.celery import app

    redis.Redis.from_url(BROKER).flushdb()  # db 2 is this suite's: no stale messages from earlier runs
    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.conf.update(broker_url=BROKER, task_always_eager=False)
    app._pool = None  # drop any connection or producer pool made for the in-memory broker
    app.amqp._producer_pool = None
    settings.SOCIAL_FLOW_RUNNER = "social.engine.CeleryRunner"
    settings.SOCIAL_TRANSPORT = "social.transport_log.ActivityLogTransport"
    yield app
    app.conf.update(**saved)
    app._pool = None
    app.amqp._producer_pool = None


def test_worker_killed_mid_flow_restarted_completes_flow_exactly_once(celery_on_broker, tmp_path):
    from social.tasks import flows_resume_stalled_task

    marker = tmp_path / "deliver-started"
    first = Worker(
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
        wait_for(
            marker.exists, 120, f"the deliver step to start ({queued} message(s) queued at publish)", first
        )
        first.kill()

        flow.refresh_from_db()
        assert flow.status == "running" and flow.path == ["validate", "compose", "route", "notify"]
        deliver = FlowStep.objects.get(flow=flow, name="deliver")
        assert (deliver.status, deliver.attempts) == ("running", 1)
        assert not FlowEffect.objects.filter(flow=flow, kind="schedule_delivery").exists()

        second = Worker(
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

        wait_for(finished, 90, "the flow to finish after the restart", second)
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
