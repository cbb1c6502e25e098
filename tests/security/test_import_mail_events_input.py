"""The signed mail-events webhook (the provider's bounce and complaint import) checks every report first:
a malformed batch is refused whole with a 400, nothing recorded, no NUL stored."""

import json
import time

import pytest

from accounts.models import MailEvent, Subscription
from accounts.newsletter_services import mail_events_signature
from tests.factories.accounts import SubscriptionFactory

pytestmark = pytest.mark.django_db

URL = "/account/newsletters/mail-events/"
SECRET = "test-mail-events-secret"
GOOD = {"id": "evt-good", "type": "bounce", "bounce_type": "hard", "email": "gone@example.org"}


@pytest.fixture(autouse=True)
def secret(settings):
    settings.ACCOUNTS_MAIL_EVENTS_SECRET = SECRET


def _post_body(client, body: bytes):
    timestamp = int(time.time())
    signature = f"t={timestamp},v1={mail_events_signature(SECRET, timestamp, body)}"
    return client.post(
        URL, body, content_type="application/json", headers={"X-Mail-Events-Signature": signature}
    )


@pytest.mark.parametrize(
    "bad",
    [
        {**GOOD, "id": "evt\x00nul"},
        {**GOOD, "id": "e" * 201},
        {**GOOD, "id": ""},
        {**GOOD, "id": {"nested": 1}},
        {**GOOD, "email": "gone\x00@example.org"},
        {**GOOD, "email": "not an address"},
        {**GOOD, "email": ["gone@example.org"]},
        {**GOOD, "type": ["bounce"]},
    ],
    ids=[
        "id-nul",
        "id-long",
        "id-empty",
        "id-object",
        "email-nul",
        "email-invalid",
        "email-list",
        "type-list",
    ],
)
def test_mail_events_malformed_report_refuses_the_batch_and_records_nothing(client, bad):
    SubscriptionFactory(email="gone@example.org")
    other = {**GOOD, "id": "evt-other"}
    response = _post_body(client, json.dumps({"events": [other, bad]}).encode())
    assert response.status_code == 400
    assert not MailEvent.objects.exists()
    assert set(Subscription.objects.values_list("status", flat=True)) == {"active"}


@pytest.mark.parametrize(
    "body",
    [b"[" * 100_000 + b"]" * 100_000, b'{"events": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_001, b"\xff"],
    ids=["deep-list", "deep-object", "not-utf8"],
)
def test_mail_events_unreadable_body_is_a_400(client, body):
    assert _post_body(client, body).status_code == 400
    assert not MailEvent.objects.exists()
