"""A real Celery worker SIGKILLed in the middle of a newsletter send: after a restart and the durable
sweep the issue finishes and nobody gets it twice."""

import os
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts import newsletter_services, selectors
from accounts.models import NewsletterDelivery, NewsletterIssue
from tests.factories.accounts import (
    NewsletterIssueFactory,
    NewsletterListFactory,
    SubscriptionFactory,
    wagtail_page,
)
from tests.workers import Worker, celery_on_broker, own_redis_url

BROKER = os.environ.get("ACCOUNTS_TEST_BROKER_URL") or own_redis_url(6)  # the accounts suite's db
SETTINGS = "tests.accounts.worker_settings"

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def on_broker():
    with celery_on_broker(BROKER) as app:
        yield app


def test_worker_killed_mid_send_restarted_finishes_without_repeating_anyone(on_broker, tmp_path):
    from durable.tasks import sweep

    mail_log, marker = tmp_path / "mail.log", tmp_path / "stalled"
    newsletter = NewsletterListFactory()
    subscribers = [SubscriptionFactory(newsletter=newsletter) for _ in range(30)]
    issue = NewsletterIssueFactory(newsletter=newsletter, page=wagtail_page("Worker news"))

    first = Worker(
        "news-first",
        tmp_path / "first.log",
        BROKER,
        SETTINGS,
        ACCOUNTS_TEST_MAIL_LOG=str(mail_log),
        ACCOUNTS_TEST_STALL_AFTER="12",
        ACCOUNTS_TEST_STALL_MARKER=str(marker),
    )
    second = None
    try:
        assert newsletter_services.issue_queue(issue)  # commits, so the task goes to the broker now
        first.wait_for(marker.exists, 90, "the 13th email to hang")
        first.kill()

        sent_before = mail_log.read_text().splitlines()
        assert len(sent_before) == 12
        # The row in flight: guarded (handed to the mail server) and still leased to the dead worker.
        claimed = NewsletterDelivery.objects.get(issue=issue, state="sending", smtp_started_at__isnull=False)
        issue.refresh_from_db()
        assert issue.status == NewsletterIssue.Status.SENDING

        second = Worker(
            "news-second",
            tmp_path / "second.log",
            BROKER,
            SETTINGS,
            ACCOUNTS_TEST_MAIL_LOG=str(mail_log),
        )
        # The dead worker's lease (the state's timeout, two minutes) runs out: moved into the past
        # here rather than waited for.
        expired = timezone.now() - timedelta(seconds=1)
        assert NewsletterDelivery.objects.filter(pk=claimed.pk).update(locked_until=expired) == 1
        sweep.delay()  # what beat sends every 30 s

        def finished():
            issue.refresh_from_db()
            return issue.status == NewsletterIssue.Status.SENT

        second.wait_for(finished, 90, "the issue to finish after the restart")
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
