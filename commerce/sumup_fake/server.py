"""The fake SumUp server: checkouts (create, get, deactivate), a hosted pay page, refunds, signed webhooks.

It speaks the paths and JSON shapes of SumUp's REST API that the official `sumup` SDK calls, so the
code under test talks to it through the real SDK. Test hooks under /_test/ pay, decline or expire a
checkout without a browser, and make the next refunds fail (`/_test/refunds/fail?count=N`).
A checkout's `valid_until` is honoured: past it the checkout reads EXPIRED and cannot be paid. A
refund sent again with the same `Idempotency-Key` header answers the first refund, refunding once.
Webhooks are signed like SumUp's: header
`X-SumUp-Webhook-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "v1:<t>:<body>">`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import ThreadingHTTPServer

from commerce.sumup_fake.routes import handler_for

SIGNATURE_HEADER = "X-SumUp-Webhook-Signature"
WEBHOOK_RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0)  # SumUp retries failed deliveries; so do we, faster


@dataclass
class WebhookDelivery:
    url: str
    body: bytes
    headers: dict[str, str]
    statuses: list[int] = field(default_factory=list)  # one per attempt; 0 = connection failed


def _now_iso() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class FakeSumUp:
    """An in-memory SumUp on 127.0.0.1. `start()` serves it in a daemon thread; `stop()` ends it."""

    def __init__(
        self,
        port: int = 0,
        api_key: str = "sup_sk_dev_fake",
        webhook_secret: str = "dev-only-webhook-secret",  # noqa: S107 - a fake's development default
        send_webhooks: bool = True,
        webhook_delay: float = 0.0,
    ):
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.send_webhooks = send_webhooks
        self.webhook_delay = webhook_delay  # seconds before the first delivery, as SumUp's lag
        self.checkouts: dict[str, dict] = {}
        self.refunds: list[dict] = []
        self.refunds_by_key: dict[str, dict] = {}  # Idempotency-Key → the refund it made
        # The next this many refund requests answer 503, as SumUp does when it is down.
        self.refund_failures = 0
        self.refund_calls: Counter[str] = Counter()  # Idempotency-Key → refund requests received
        # The next this many checkout reads answer 503; the next `checkout_slow` checkout reads and
        # `refund_slow` refunds are carried out but answered after `slow_seconds` (the client gave up).
        self.checkout_failures = self.checkout_slow = self.refund_slow = 0
        self.slow_seconds = 0.0
        # Hostile answers, as a broken or hijacked endpoint would send: the next `checkout_drip` checkout
        # reads and `refund_drip` refunds are answered one byte every `drip_interval` s (no single read
        # waits long); the next `checkout_huge` and `refund_huge` carry `huge_bytes` of padding.
        self.checkout_drip = self.refund_drip = self.checkout_huge = self.refund_huge = 0
        self.drip_interval = 0.05
        self.huge_bytes = 5_000_000
        self.webhooks: list[WebhookDelivery] = []
        # Called as hook(method, path) in the server's thread before each API request is answered:
        # tests look at what the caller had committed by then. What a hook raises is kept here.
        self.request_hooks: list = []
        self.hook_errors: list[BaseException] = []
        self._lock = threading.Lock()
        self._webhook_threads: list[threading.Thread] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", port), handler_for(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeSumUp:
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-sumup", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- signing ---------------------------------------------------------------------------------
    def sign(self, body: bytes, timestamp: int | None = None, secret: str | None = None) -> str:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        digest = hmac.new(
            (secret or self.webhook_secret).encode(), b"v1:" + stamp.encode() + b":" + body, hashlib.sha256
        ).hexdigest()
        return f"t={stamp},v1={digest}"

    # --- state changes ---------------------------------------------------------------------------
    def create_checkout(self, data: dict) -> tuple[int, dict]:
        missing = [
            name
            for name in ("checkout_reference", "amount", "currency", "merchant_code")
            if data.get(name) in (None, "")
        ]
        if missing:
            return 400, {"message": "Validation error", "error_code": "MISSING", "param": missing[0]}
        if not isinstance(data["amount"], int | float) or data["amount"] <= 0:
            return 400, {"message": "Invalid amount", "error_code": "INVALID", "param": "amount"}
        with self._lock:
            for existing in self.checkouts.values():
                if (
                    existing["checkout_reference"] == data["checkout_reference"]
                    and existing["merchant_code"] == data["merchant_code"]
                ):
                    return 409, {
                        "error_code": "DUPLICATED_CHECKOUT",
                        "message": "Checkout with this checkout reference and pay to email already exists",
                    }
            checkout_id = str(uuid.uuid4())
            checkout = {
                "id": checkout_id,
                "checkout_reference": data["checkout_reference"],
                "amount": data["amount"],
                "currency": data["currency"],
                "merchant_code": data["merchant_code"],
                "description": data.get("description"),
                "return_url": data.get("return_url"),
                "redirect_url": data.get("redirect_url"),
                "status": "PENDING",
                "valid_until": data.get("valid_until"),
                "date": _now_iso(),
                "transactions": [],
            }
            if (data.get("hosted_checkout") or {}).get("enabled"):
                checkout["hosted_checkout_url"] = f"{self.url}/pay/{checkout_id}"
            self.checkouts[checkout_id] = checkout
            return 201, dict(checkout)

    def _expire_if_overdue(self, checkout: dict) -> None:
        """Past its valid_until a pending checkout expires, as SumUp's do (called under the lock)."""
        valid_until = checkout.get("valid_until")
        if checkout["status"] == "PENDING" and valid_until:
            deadline = datetime.fromisoformat(valid_until.replace("Z", "+00:00"))
            if deadline.tzinfo is None:
                deadline = deadline.replace(tzinfo=UTC)
            if deadline <= datetime.now(UTC):
                checkout["status"] = "EXPIRED"

    def get_checkout(self, checkout_id: str) -> dict | None:
        with self._lock:
            checkout = self.checkouts.get(checkout_id)
            if checkout is None:
                return None
            self._expire_if_overdue(checkout)
            return dict(checkout)

    def settle(self, checkout_id: str, outcome: str, webhook: str = "async") -> dict | None:
        """Apply a payer's outcome (`pay`, `decline`) or an expiry (`expire`) to a pending checkout."""
        status, tx_status, event = {
            "pay": ("PAID", "SUCCESSFUL", "checkouts.paid"),
            "decline": ("FAILED", "FAILED", "checkouts.failed"),
            "expire": ("EXPIRED", None, "checkouts.expired"),
        }[outcome]
        with self._lock:
            checkout = self.checkouts.get(checkout_id)
            if checkout is not None and outcome != "expire":
                self._expire_if_overdue(checkout)
            if checkout is None or checkout["status"] != "PENDING":
                return None
            checkout["status"] = status
            if tx_status:
                tx = {
                    "id": str(uuid.uuid4()),
                    "transaction_code": "T" + uuid.uuid4().hex[:9].upper(),
                    "amount": checkout["amount"],
                    "currency": checkout["currency"],
                    "status": tx_status,
                    "payment_type": "ECOM",
                    "timestamp": _now_iso(),
                }
                checkout["transactions"].append(tx)
                if tx_status == "SUCCESSFUL":
                    checkout["transaction_id"] = tx["id"]
                    checkout["transaction_code"] = tx["transaction_code"]
            snapshot = dict(checkout)
        if webhook != "none":
            self.notify(checkout_id, event, wait=webhook == "sync")
        return snapshot

    def deactivate(self, checkout_id: str) -> tuple[int, dict]:
        with self._lock:
            checkout = self.checkouts.get(checkout_id)
            if checkout is None:
                return 404, {"error_code": "NOT_FOUND", "message": "Resource not found"}
            if checkout["status"] != "PENDING":
                return 409, {"error_code": "CHECKOUT_PROCESSED", "message": "Checkout is already processed"}
            checkout["status"] = "EXPIRED"
            return 200, dict(checkout)

    def take(self, counter: str) -> bool:
        """Use up one of the next failures counted in `counter`; False when none is left."""
        with self._lock:
            left = getattr(self, counter)
            if left > 0:
                setattr(self, counter, left - 1)
            return left > 0

    def answer_slowly(self, counter: str) -> None:
        if self.take(counter):
            time.sleep(self.slow_seconds)

    def refund(
        self, merchant_code: str, transaction_id: str, data: dict, idempotency_key: str = ""
    ) -> tuple[int, dict]:
        with self._lock:
            self.refund_calls[idempotency_key] += 1
            if self.refund_failures > 0:
                self.refund_failures -= 1
                return 503, {"title": "Service Unavailable", "status": 503, "detail": "try again later"}
            if idempotency_key in self.refunds_by_key:
                return 201, dict(self.refunds_by_key[idempotency_key])
            for checkout in self.checkouts.values():
                for tx in checkout["transactions"]:
                    if tx["id"] == transaction_id and checkout["merchant_code"] == merchant_code:
                        break
                else:
                    continue
                break
            else:
                return 404, {"title": "Not Found", "status": 404, "detail": "transaction not found"}
            if tx["status"] not in ("SUCCESSFUL", "REFUNDED"):
                return 409, {"title": "Conflict", "status": 409, "detail": "transaction is not refundable"}
            refunded = sum(r["amount"] for r in self.refunds if r["transaction_id"] == transaction_id)
            amount = data.get("amount", round(tx["amount"] - refunded, 2))
            if amount <= 0 or round(refunded + amount, 2) > tx["amount"]:
                return 400, {
                    "title": "Bad Request",
                    "status": 400,
                    "detail": "amount exceeds refundable amount",
                }
            refund = {"id": str(uuid.uuid4()), "transaction_id": transaction_id, "amount": amount}
            self.refunds.append(refund)
            if idempotency_key:
                self.refunds_by_key[idempotency_key] = refund
            tx["status"] = "REFUNDED"
            return 201, dict(refund)

    # --- webhooks --------------------------------------------------------------------------------
    def notify(self, checkout_id: str, event_type: str, wait: bool = False) -> WebhookDelivery | None:
        checkout = self.checkouts[checkout_id]
        if not (self.send_webhooks and checkout.get("return_url")):
            return None
        body = json.dumps(
            {
                "id": f"evt_{uuid.uuid4().hex}",
                "type": event_type,
                "created_at": _now_iso(),
                "object": {
                    "id": checkout_id,
                    "type": "checkout",
                    "url": f"{self.url}/v0.1/checkouts/{checkout_id}",
                },
            }
        ).encode()
        delivery = WebhookDelivery(
            url=checkout["return_url"],
            body=body,
            headers={"Content-Type": "application/json", SIGNATURE_HEADER: self.sign(body)},
        )
        self.webhooks.append(delivery)
        if wait:
            self._deliver(delivery)
        else:
            thread = threading.Thread(target=self._deliver, args=(delivery,), daemon=True)
            self._webhook_threads.append(thread)
            thread.start()
        return delivery

    def _deliver(self, delivery: WebhookDelivery) -> None:
        for delay in (self.webhook_delay, *WEBHOOK_RETRY_DELAYS):
            time.sleep(delay)
            request = urllib.request.Request(  # noqa: S310 - the checkout's own http(s) callback URL
                delivery.url, data=delivery.body, headers=delivery.headers, method="POST"
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                    delivery.statuses.append(response.status)
            except urllib.error.HTTPError as exc:
                delivery.statuses.append(exc.code)
            except OSError:
                delivery.statuses.append(0)
            if 200 <= delivery.statuses[-1] < 300:
                return

    def wait_for_webhooks(self, timeout: float = 10.0) -> None:
        for thread in list(self._webhook_threads):
            thread.join(timeout)
