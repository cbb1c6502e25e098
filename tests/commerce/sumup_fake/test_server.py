"""The fake SumUp server, driven through the official SDK exactly as the shop drives the real one."""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from sumup import APIError, Sumup
from sumup._events import EventSignatureError
from sumup.events import CheckoutPaidEvent

from commerce.sumup_fake import FakeSumUp


@pytest.fixture
def fake():
    server = FakeSumUp(api_key="sk_test", webhook_secret="whsec").start()
    yield server
    server.wait_for_webhooks()
    server.stop()


@pytest.fixture
def client(fake):
    with Sumup(api_key="sk_test", base_url=fake.url) as sdk:
        yield sdk


def _create(client, reference="ORD-1", amount=12.5, **extra):
    return client.checkouts.create(
        checkout_reference=reference,
        amount=amount,
        currency="GBP",
        merchant_code="MTEST",
        hosted_checkout={"enabled": True},
        **extra,
    )


def test_checkout_create_then_get_pending_with_hosted_url(client, fake):
    created = _create(client, description="Honey")
    assert created.status == "PENDING"
    assert created.hosted_checkout_url == f"{fake.url}/pay/{created.id}"
    fetched = client.checkouts.get(created.id)
    assert (fetched.id, fetched.amount, fetched.checkout_reference) == (created.id, 12.5, "ORD-1")


def test_checkout_create_duplicate_reference_conflicts(client):
    _create(client)
    with pytest.raises(APIError) as raised:
        _create(client)
    assert raised.value.status == 409


def test_checkout_create_wrong_key_unauthorised(fake):
    with Sumup(api_key="wrong", base_url=fake.url) as sdk, pytest.raises(APIError) as raised:
        _create(sdk)
    assert raised.value.status == 401


def test_checkout_get_unknown_not_found(client):
    with pytest.raises(APIError) as raised:
        client.checkouts.get("nope")
    assert raised.value.status == 404


def test_pay_page_pay_marks_paid_and_redirects(client, fake):
    created = _create(client, redirect_url="http://shop.invalid/return")
    page = httpx.get(created.hosted_checkout_url)
    assert "12.50 GBP" in page.text and 'value="pay"' in page.text
    response = httpx.post(created.hosted_checkout_url, data={"outcome": "pay"})
    assert response.status_code == 303 and response.headers["location"] == "http://shop.invalid/return"
    paid = client.checkouts.get(created.id)
    assert paid.status == "PAID" and paid.transaction_id
    assert 'value="pay"' not in httpx.get(created.hosted_checkout_url).text


def test_pay_page_decline_marks_failed(client):
    created = _create(client)
    httpx.post(created.hosted_checkout_url, data={"outcome": "decline"})
    assert client.checkouts.get(created.id).status == "FAILED"


def test_test_hook_expire_then_pay_refused(client, fake):
    created = _create(client)
    assert httpx.post(f"{fake.url}/_test/checkouts/{created.id}/expire").status_code == 200
    assert httpx.post(f"{fake.url}/_test/checkouts/{created.id}/pay").status_code == 409
    assert client.checkouts.get(created.id).status == "EXPIRED"


def test_deactivate_pending_expires(client):
    created = _create(client)
    assert client.checkouts.deactivate(created.id).status == "EXPIRED"


def test_refund_paid_transaction_recorded_and_not_twice(client, fake):
    created = _create(client)
    fake.settle(created.id, "pay", webhook="none")
    tx_id = client.checkouts.get(created.id).transaction_id
    client.transactions.refund("MTEST", tx_id, amount=5.0)
    client.transactions.refund("MTEST", tx_id)  # the rest
    assert [r["amount"] for r in fake.refunds] == [5.0, 7.5]
    with pytest.raises(APIError) as raised:
        client.transactions.refund("MTEST", tx_id, amount=1.0)
    assert raised.value.status == 400


def test_checkout_past_valid_until_reads_expired_and_cannot_be_paid(client, fake):
    from datetime import UTC, datetime, timedelta

    soon = datetime.now(UTC) + timedelta(seconds=1)
    created = _create(client, valid_until=soon)
    assert client.checkouts.get(created.id).status == "PENDING"
    time.sleep(1.2)
    assert client.checkouts.get(created.id).status == "EXPIRED"
    assert httpx.post(f"{fake.url}/_test/checkouts/{created.id}/pay").status_code == 409
    assert "Pay</button>" not in httpx.get(created.hosted_checkout_url).text


def test_refund_resent_with_same_idempotency_key_refunds_once(client, fake):
    created = _create(client)
    fake.settle(created.id, "pay", webhook="none")
    tx_id = client.checkouts.get(created.id).transaction_id
    first = client.transactions.refund("MTEST", tx_id, amount=5.0, headers={"Idempotency-Key": "k1"})
    again = client.transactions.refund("MTEST", tx_id, amount=5.0, headers={"Idempotency-Key": "k1"})
    assert first == again and [r["amount"] for r in fake.refunds] == [5.0]
    client.transactions.refund("MTEST", tx_id, amount=5.0, headers={"Idempotency-Key": "k2"})
    assert [r["amount"] for r in fake.refunds] == [5.0, 5.0]


class _Receiver(BaseHTTPRequestHandler):
    received: list

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((body, self.headers["X-SumUp-Webhook-Signature"]))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_webhook_signed_verifies_with_sdk_and_fetches_checkout(client, fake):
    _Receiver.received = []
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        created = _create(client, return_url=f"http://127.0.0.1:{receiver.server_address[1]}/hook")
        fake.settle(created.id, "pay", webhook="sync")
    finally:
        receiver.shutdown()
        receiver.server_close()
    [(body, signature)] = _Receiver.received
    event = client.parse_event_notification(body, signature, "whsec")
    assert isinstance(event, CheckoutPaidEvent) and event.object.id == created.id
    assert event.fetch_object().status == "PAID"
    with pytest.raises(EventSignatureError):
        client.parse_event_notification(body, signature, "another-secret")
    stale = fake.sign(body, timestamp=int(time.time()) - 301)
    with pytest.raises(EventSignatureError):
        client.parse_event_notification(body, stale, "whsec")
    assert json.loads(body)["type"] == "checkouts.paid"
