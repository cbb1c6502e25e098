"""A real Celery worker SIGKILLed in the middle of a newsletter send: after a restart the issue
finishes and nobody gets it twice."""

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

from accounts import newsletter_services, selectors
from accounts.models import NewsletterDelivery, NewsletterIssue
from tests.factories.accounts import (
    NewsletterIssueFactory,
    NewsletterListFactory,
    SubscriptionFactory,
    wagtail_page,
)

BROKER = os.environ.get("ACCOUNTS_TEST_BROKER_URL", "redis://127.0.0.1:6379/6")
CELERY = str(Path(sys.executable).with_name("celery"))

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    def __init__(self, name: str, log: Path, **env: str):
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.accounts.worker_settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": BROKER,
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
        if predicate():
            return
        if worker.process.poll() is not None:
            pytest.fail(f"worker exited while waiting for {what}:\n{worker.log.read_text()[-3000:]}")
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}:\n{worker.log.read_text()[-3000:]}")


@pytest.fixture
def celery_on_broker():
    from config.celery import app

    redis.Redis.from_url(BROKER).flushdb()  # db 6 is the accounts suite's
    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.conf.update(broker_url=BROKER, task_always_eager=False)
    app._pool = None
    yield app
    app.conf.update(**saved)
    app._pool = None


@pytest.mark.xfail(
    reason="on PostgreSQL (CI) the real worker never reaches the 13th email before the test's wait ends; "
    "passes on SQLite; issue 8 stays open until it passes on PostgreSQL",
    strict=False,
)
def test_worker_killed_mid_send_restarted_finishes_without_repeating_anyone(celery_on_broker, tmp_path):
    from accounts.tasks import newsletter_resume_stalled

    mail_log, marker = tmp_path / "mail.log", tmp_path / "stalled"
    newsletter = NewsletterListFactory()
    subscribers = [SubscriptionFactory(newsletter=newsletter) for _ in range(30)]
    issue = NewsletterIssueFactory(newsletter=newsletter, page=wagtail_page("Worker news"))

    first = Worker(
        "news-first",
        tmp_path / "first.log",
        ACCOUNTS_TEST_MAIL_LOG=str(mail_log),
        ACCOUNTS_TEST_STALL_AFTER="12",
        ACCOUNTS_TEST_STALL_MARKER=str(marker),
    )
    second = None
    try:
        assert newsletter_services.issue_queue(issue)  # commits, so the task goes to the broker now
        wait_for(marker.exists, 90, "the 13th email to hang", first)
        first.kill()

        sent_before = mail_log.read_text().splitlines()
        assert len(sent_before) == 12
        claimed = NewsletterDelivery.objects.get(issue=issue, status=NewsletterDelivery.Status.CLAIMED)
        issue.refresh_from_db()
        assert issue.status == NewsletterIssue.Status.SENDING

        second = Worker(
            "news-second",
            tmp_path / "second.log",
            ACCOUNTS_TEST_MAIL_LOG=str(mail_log),
            ACCOUNTS_NEWSLETTER_STALL_SECONDS="1",
        )
        time.sleep(1.5)  # let the dead worker's last claim age past the stall threshold
        newsletter_resume_stalled.delay()  # what beat sends every minute

        def finished():
            issue.refresh_from_db()
            return issue.status == NewsletterIssue.Status.SENT

        wait_for(finished, 90, "the issue to finish after the restart", second)
        recipients = mail_log.read_text().splitlines()
        assert len(recipients) == len(set(recipients)) == 29  # nobody twice
        assert claimed.subscription.email not in recipients  # the in-flight one is skipped, not repeated
        assert set(recipients) == {sub.email for sub in subscribers} - {claimed.subscription.email}
        progress = selectors.issue_progress(issue)
        assert (progress["sent"], progress["claimed"], progress["percent"]) == (29, 1, 100)
    finally:
        first.kill()
        if second is not None:
            second.kill()
