"""The mail provider's signed bounce and complaint webhook: bounces and complaints stick, replays don't."""

import json
import time

import pytest

from accounts.models import MailEvent, Subscription
from accounts.newsletter_services import mail_events_signature
from tests.factories.accounts import NewsletterListFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

URL = "/account/newsletters/mail-events/"
SECRET = "test-mail-events-secret"


@pytest.fixture(autouse=True)
def secret(settings):
    settings.ACCOUNTS_MAIL_EVENTS_SECRET = SECRET


def _post(client, events, *, secret=SECRET, timestamp=None):
    body = json.dumps({"events": events}).encode()
    timestamp = int(time.time()) if timestamp is None else timestamp
    signature = f"t={timestamp},v1={mail_events_signature(secret, timestamp, body)}"
    return client.post(
        URL, body, content_type="application/json", headers={"X-Mail-Events-Signature": signature}
    )


def _statuses(email: str) -> set[str]:
    return set(Subscription.objects.filter(email=email).values_list("status", flat=True))


def test_hard_bounce_stops_every_list_and_a_replay_changes_nothing(client):
    for newsletter in (NewsletterListFactory(), NewsletterListFactory()):
        SubscriptionFactory(newsletter=newsletter, email="gone@example.org")
    event = {"id": "evt-1", "type": "bounce", "bounce_type": "hard", "email": "Gone@Example.org"}
    response = _post(client, [event])
    assert response.json() == {"processed": 1, "duplicates": 0}
    assert _statuses("gone@example.org") == {"bounced"}
    assert MailEvent.objects.get(event_id="evt-1").subscriptions_stopped == 2

    # The owner confirms again; the same report delivered twice must not bounce them a second time.
    Subscription.objects.filter(email="gone@example.org").update(status=Subscription.Status.ACTIVE)
    assert _post(client, [event]).json() == {"processed": 0, "duplicates": 1}
    assert _statuses("gone@example.org") == {"active"}


def test_complaint_unsubscribes_and_soft_bounce_is_only_recorded(client):
    SubscriptionFactory(email="angry@example.org")
    SubscriptionFactory(email="full@example.org")
    response = _post(
        client,
        [
            {"id": "evt-2", "type": "complaint", "email": "angry@example.org"},
            {"id": "evt-3", "type": "bounce", "bounce_type": "soft", "email": "full@example.org"},
        ],
    )
    assert response.json() == {"processed": 2, "duplicates": 0}
    assert _statuses("angry@example.org") == {"unsubscribed"}
    assert _statuses("full@example.org") == {"active"}
    assert MailEvent.objects.get(event_id="evt-3").kind == MailEvent.Kind.SOFT_BOUNCE


@pytest.mark.parametrize(
    "signing",
    [{"secret": "not-the-secret"}, {"timestamp": int(time.time()) - 3600}],
    ids=["wrong secret", "an hour old"],
)
def test_unsigned_or_stale_reports_are_refused(client, signing):
    SubscriptionFactory(email="kept@example.org")
    event = {"id": "evt-4", "type": "bounce", "bounce_type": "hard", "email": "kept@example.org"}
    assert _post(client, [event], **signing).status_code == 403
    unsigned = client.post(URL, json.dumps({"events": [event]}), content_type="application/json")
    assert unsigned.status_code == 403
    assert _statuses("kept@example.org") == {"active"}
    assert not MailEvent.objects.exists()


def test_malformed_batch_records_nothing(client):
    SubscriptionFactory(email="kept@example.org")
    events = [
        {"id": "evt-5", "type": "bounce", "bounce_type": "hard", "email": "kept@example.org"},
        {"id": "evt-6", "type": "delivered", "email": "kept@example.org"},
    ]
    assert _post(client, events).status_code == 400
    assert _statuses("kept@example.org") == {"active"}


def test_endpoint_is_off_without_a_secret(client, settings):
    settings.ACCOUNTS_MAIL_EVENTS_SECRET = ""
    assert _post(client, [], secret="").status_code == 404
