"""SMTP down in the middle of a newsletter send, with a real SMTP server on a real port: the send
pauses instead of marking everyone after the outage failed, and after recovery and the stalled-issue
sweep every subscriber has exactly one email."""

import pytest

from accounts import newsletter_services, selectors
from accounts.models import NewsletterDelivery, NewsletterIssue
from accounts.tasks import newsletter_resume_stalled
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
    assert not NewsletterDelivery.objects.filter(issue=issue, status=NewsletterDelivery.Status.FAILED)

    smtp.start()  # the mail server is back on its port
    settings.ACCOUNTS_NEWSLETTER_STALL_SECONDS = 0
    assert newsletter_resume_stalled.apply().get() == [issue.pk]  # what beat sends; the chain resumes

    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT
    assert smtp.received == {subscriber.email.lower(): 1 for subscriber in subscribers}
    progress = selectors.issue_progress(issue)
    assert (progress["sent"], progress["failed"], progress["claimed"]) == (20, 0, 0)
