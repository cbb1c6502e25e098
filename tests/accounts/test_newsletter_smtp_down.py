"""SMTP down in the middle of a newsletter send, with a real SMTP server on a real port: the send
pauses instead of marking everyone after the outage failed, and after recovery and the durable sweep
every subscriber has exactly one email. A worker killed between its claim and the send is picked up
by the sweep and that subscriber is mailed exactly once."""

from datetime import timedelta

import pytest
from django.db.models import Max
from django.utils import timezone

from accounts import newsletter_services, selectors
from accounts.models import NewsletterDelivery, NewsletterIssue
from durable import runner
from durable.tasks import sweep
from tests.factories.accounts import (
    NewsletterIssueFactory,
    NewsletterListFactory,
    SubscriptionFactory,
    wagtail_page,
)

from .smtp_server import SMTPServer

pytestmark = pytest.mark.django_db(transaction=True)  # mail goes out after commit, as in production


@pytest.fixture
def smtp(settings):
    server = SMTPServer(down_after=7)
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


@pytest.fixture
def eager():
    """The batches run in this process (CI sets REDIS_URL): the SMTP server is the process under test."""
    from config.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


def test_smtp_down_mid_send_resumes_after_recovery_with_one_email_per_subscriber(smtp, eager, settings):
    newsletter = NewsletterListFactory()
    subscribers = [SubscriptionFactory(newsletter=newsletter) for _ in range(20)]
    issue = NewsletterIssueFactory(newsletter=newsletter, page=wagtail_page("Outage news"))

    newsletter_services.issue_queue(issue)  # after commit, the chain of batches runs until the outage

    issue.refresh_from_db()
    assert sum(smtp.received.values()) == 7  # the server went down after the seventh message
    assert issue.status == NewsletterIssue.Status.SENDING  # paused, not "sent" to nobody
    assert not NewsletterDelivery.objects.filter(issue=issue, state="failed")
    # One row found the server down and waits for its retry; the 12 behind it wait for the same time.
    waiting = NewsletterDelivery.objects.filter(issue=issue, state__in=["queued", "sending"])
    assert waiting.count() == 13 and waiting.filter(smtp_started_at__isnull=False).count() == 0
    retry_at = waiting.aggregate(latest=Max("due_at"))["latest"]
    assert retry_at > timezone.now()
    assert sweep.apply().get() == 0  # what beat sends: nothing is due before the retry time

    smtp.start()  # the mail server is back on its port
    assert runner.run_due(NewsletterDelivery, now=retry_at) == {"sent": 13}  # the sweep at the retry time

    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT
    assert smtp.received == {subscriber.email.lower(): 1 for subscriber in subscribers}
    progress = selectors.issue_progress(issue)
    assert (progress["sent"], progress["failed"], progress["claimed"]) == (20, 0, 0)


def test_worker_killed_between_claim_and_send_is_mailed_once_by_the_sweep(smtp, eager):
    """A worker took the row (moved it to `sending`, leased it) and was killed before the mail server
    saw anything: no guard was written, so once the lease runs out the durable sweep mails it, once."""
    smtp.down_after = None
    newsletter = NewsletterListFactory()
    subscriber = SubscriptionFactory(newsletter=newsletter)
    issue = NewsletterIssueFactory(newsletter=newsletter, page=wagtail_page("Killed worker news"))
    issue.body_html, issue.body_text = newsletter_services.issue_render_page(issue)
    issue.status, issue.recipient_count = NewsletterIssue.Status.SENDING, 1
    issue.save()
    expired = timezone.now() - timedelta(seconds=1)
    delivery = NewsletterDelivery.objects.create(
        issue=issue, subscription=subscriber, state="sending", state_attempts=1, locked_until=expired
    )

    assert sweep.apply().get() == 1  # what beat sends: the stalled row is leased and advanced (eagerly)
    assert sweep.apply().get() == 0  # the next beat finds nothing
    assert runner.run_due(NewsletterDelivery, now=timezone.now() + timedelta(hours=2)) == {}

    delivery.refresh_from_db()
    issue.refresh_from_db()
    assert smtp.received == {subscriber.email.lower(): 1}
    assert delivery.state == "sent" and delivery.smtp_started_at is not None and delivery.sent_at
    assert issue.status == NewsletterIssue.Status.SENT


def test_a_row_workers_kept_dying_on_is_failed_and_its_issue_still_closes(smtp, eager):
    """Workers took the row again and again and none recorded a result: the runner fails it itself,
    without mailing, and the issue (whose last open row it was) is marked sent, not left sending."""
    newsletter = NewsletterListFactory()
    subscriber = SubscriptionFactory(newsletter=newsletter)
    issue = NewsletterIssueFactory(newsletter=newsletter, page=wagtail_page("Unlucky news"))
    issue.status, issue.recipient_count = NewsletterIssue.Status.SENDING, 1
    issue.save()
    tries = NewsletterDelivery.state_graph.sending.retry.max_attempts
    delivery = NewsletterDelivery.objects.create(
        issue=issue, subscription=subscriber, state="sending", state_attempts=tries,
        locked_until=timezone.now() - timedelta(seconds=1),
    )  # fmt: skip

    assert runner.run_due(NewsletterDelivery) == {"failed": 1}

    delivery.refresh_from_db()
    issue.refresh_from_db()
    assert smtp.received == {}
    assert delivery.finished_at is not None and "stalled" in delivery.error
    assert issue.status == NewsletterIssue.Status.SENT
