"""Newsletters: double opt-in, one-click unsubscribe, sticky bounces, durable sends that never repeat."""

import re
import smtplib
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from accounts import newsletter_services, selectors
from accounts.models import NewsletterDelivery, NewsletterIssue, Subscription
from accounts.tasks import newsletter_send
from durable import runner
from durable.claim import claim_row
from tests.factories.accounts import (
    NewsletterIssueFactory,
    NewsletterListFactory,
    SubscriptionFactory,
    UserFactory,
    wagtail_page,
)

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


def _link(message, fragment: str) -> str:
    return next(url for url in re.findall(r"https?://\S+", message.body) if fragment in url)


@pytest.fixture
def page():
    return wagtail_page("Spring harvest news")


def test_signup_is_pending_until_the_emailed_link_is_followed(client, django_capture_on_commit_callbacks):
    newsletter = NewsletterListFactory(name="Cooperative news")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/account/newsletters/", {"email": "Reader@Example.org", "newsletters": [newsletter.pk]}
        )
    assert response.status_code == 200
    subscription = Subscription.objects.get(newsletter=newsletter)
    assert subscription.email == "reader@example.org"
    assert subscription.status == Subscription.Status.PENDING
    assert mail.outbox[0].to == ["reader@example.org"]
    assert "Cooperative news" in mail.outbox[0].subject

    confirmed = client.get(_path(_link(mail.outbox[0], "/newsletters/confirm/")))
    assert confirmed.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    assert subscription.confirmed_at is not None


def test_forged_confirmation_link_activates_nothing(client):
    subscription = SubscriptionFactory(status=Subscription.Status.PENDING)
    response = client.get("/account/newsletters/confirm/not-a-real-signature/")
    assert response.status_code == 400
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PENDING


def test_unsubscribe_link_get_only_asks_and_one_click_post_unsubscribes_without_csrf():
    subscription = SubscriptionFactory()
    client = Client(enforce_csrf_checks=True)
    url = f"/account/newsletters/unsubscribe/{subscription.token}/"
    assert client.get(url).status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    response = client.post(
        url, data="List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED


def test_unsubscribe_with_unknown_token_is_404(client):
    assert client.post("/account/newsletters/unsubscribe/nope/").status_code == 404


@pytest.mark.parametrize("status", [Subscription.Status.UNSUBSCRIBED, Subscription.Status.BOUNCED])
def test_unsubscribed_or_bounced_address_stays_off_until_it_confirms_again(
    status, django_capture_on_commit_callbacks
):
    subscription = SubscriptionFactory(status=status)
    with django_capture_on_commit_callbacks(execute=True):
        newsletter_services.subscription_request(subscription.email, [subscription.newsletter])
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.PENDING  # not mailed until the link is followed
    assert len(mail.outbox) == 1


def test_bounce_marks_every_list_for_the_address():
    first = SubscriptionFactory(email="gone@example.org")
    second = SubscriptionFactory(email="GONE@example.org".lower())
    assert newsletter_services.subscription_bounce("Gone@Example.org") == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == Subscription.Status.BOUNCED


def test_dashboard_subscribe_is_double_opt_in_and_leave_unsubscribes(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory()
    client.force_login(user)
    newsletter = NewsletterListFactory()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/account/newsletters/{newsletter.pk}/subscribe/")
    subscription = Subscription.objects.get(newsletter=newsletter, email=user.email)
    assert subscription.status == Subscription.Status.PENDING
    client.get(_path(_link(mail.outbox[0], "/newsletters/confirm/")))
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.ACTIVE
    client.post(f"/account/newsletters/{newsletter.pk}/leave/")
    subscription.refresh_from_db()
    assert subscription.status == Subscription.Status.UNSUBSCRIBED


def test_issue_goes_in_batches_to_active_subscribers_with_one_click_headers(
    page, django_capture_on_commit_callbacks
):
    newsletter = NewsletterListFactory(name="Harvest")
    active = [SubscriptionFactory(newsletter=newsletter) for _ in range(5)]
    for status in (
        Subscription.Status.PENDING,
        Subscription.Status.UNSUBSCRIBED,
        Subscription.Status.BOUNCED,
    ):
        SubscriptionFactory(newsletter=newsletter, status=status)
    issue = NewsletterIssueFactory(newsletter=newsletter, page=page)

    with django_capture_on_commit_callbacks(execute=True):
        assert newsletter_services.issue_queue(issue)
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT
    assert sorted(message.to[0] for message in mail.outbox) == sorted(sub.email for sub in active)
    for message in mail.outbox:
        subscription = next(sub for sub in active if sub.email == message.to[0])
        assert message.subject == "Spring harvest news"
        assert (
            message.extra_headers["List-Unsubscribe"]
            == (f"<http://127.0.0.1:8000/account/newsletters/unsubscribe/{subscription.token}/>")
            or subscription.token in message.extra_headers["List-Unsubscribe"]
        )
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert subscription.token in message.body
    progress = selectors.issue_progress(issue)
    assert progress == {"status": "sent", "total": 5, "percent": 100, "sent": 5, "failed": 0, "claimed": 0}
    assert not newsletter_services.issue_queue(issue)  # a second press of "Send" does nothing


def _sending(issue: NewsletterIssue, subscribers: list) -> None:
    """The issue as "Send" leaves it, without running the send: content frozen, one queued row each."""
    issue.body_html, issue.body_text = newsletter_services.issue_render_page(issue)
    issue.status, issue.recipient_count = NewsletterIssue.Status.SENDING, len(subscribers)
    issue.save()
    rows = [NewsletterDelivery(issue=issue, subscription=subscription) for subscription in subscribers]
    NewsletterDelivery.objects.bulk_create(rows)


def test_issue_resumed_after_a_worker_died_never_repeats_anyone(page):
    """A guard committed before a crash is honoured: that person is skipped rather than mailed twice."""
    newsletter = NewsletterListFactory()
    subscribers = [SubscriptionFactory(newsletter=newsletter) for _ in range(4)]
    issue = NewsletterIssueFactory(newsletter=newsletter, page=page)
    _sending(issue, subscribers)
    # The first worker had sent to subscriber 0 and was handing subscriber 1's email to the mail
    # server (its guard written) when it was killed; its lease has run out since.
    past = timezone.now() - timedelta(minutes=10)
    NewsletterDelivery.objects.filter(subscription=subscribers[0]).update(
        state="sent", sent_at=past, finished_at=past
    )
    NewsletterDelivery.objects.filter(subscription=subscribers[1]).update(
        state="sending", smtp_started_at=past, locked_until=past, state_attempts=1
    )

    newsletter_send.apply(args=[issue.pk])  # the redelivered task (acks_late) runs again
    newsletter_send.apply(args=[issue.pk])  # and a duplicate delivery of it, for good measure

    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [subscribers[2].email, subscribers[3].email]
    )
    assert NewsletterDelivery.objects.filter(issue=issue).count() == 4
    assert NewsletterDelivery.objects.get(subscription=subscribers[1]).state == "unconfirmed"
    issue.refresh_from_db()
    progress = selectors.issue_progress(issue)
    assert (progress["sent"], progress["claimed"], progress["status"]) == (3, 1, "sent")


def test_a_row_leased_to_one_worker_is_refused_to_a_second(page):
    subscription = SubscriptionFactory()
    issue = NewsletterIssueFactory(newsletter=subscription.newsletter, page=page)
    _sending(issue, [subscription])
    delivery = NewsletterDelivery.objects.get()
    # The first worker holds the row's lease (it is mid-send); a second one, sent the same row, leaves it.
    assert claim_row(NewsletterDelivery, delivery.pk, ["queued"], 60) is not None
    assert runner.advance(NewsletterDelivery, delivery.pk) == "queued"
    assert mail.outbox == []
    assert claim_row(NewsletterDelivery, delivery.pk, ["queued"], 60) is None


def test_a_failing_address_is_recorded_and_the_rest_still_go(page, monkeypatch):
    newsletter = NewsletterListFactory()
    good = SubscriptionFactory(newsletter=newsletter)
    bad = SubscriptionFactory(newsletter=newsletter, email="bad@example.org")
    issue = NewsletterIssueFactory(newsletter=newsletter, page=page)
    _sending(issue, [good, bad])
    from django.core.mail.backends.locmem import EmailBackend

    original = EmailBackend.send_messages

    def refuse_bad(self, messages):
        if any("bad@example.org" in message.to for message in messages):
            # What Django's SMTP backend raises when the server refuses this one address for good.
            raise smtplib.SMTPRecipientsRefused({"bad@example.org": (550, b"mailbox unavailable")})
        return original(self, messages)

    monkeypatch.setattr(EmailBackend, "send_messages", refuse_bad)
    newsletter_send.apply(args=[issue.pk])
    assert [message.to for message in mail.outbox] == [[good.email]]
    failed = NewsletterDelivery.objects.get(subscription=bad)
    assert failed.state == "failed"
    assert "550" in failed.error
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT
