"""The fake SumUp over HTTP: SumUp's REST paths, the hosted pay page and the /_test/ hooks."""

from __future__ import annotations

import html
import json
import re
import time
from contextlib import suppress
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from commerce.sumup_fake.server import FakeSumUp


_CHECKOUT_PATH = re.compile(r"^/v0\.1/checkouts/(?P<id>[^/]+)$")
_REFUND_PATH = re.compile(r"^/v1\.0/merchants/(?P<merchant>[^/]+)/payments/(?P<tx>[^/]+)/refunds$")
_PAY_PATH = re.compile(r"^/pay/(?P<id>[^/]+)$")
_HOOK_PATH = re.compile(r"^/_test/checkouts/(?P<id>[^/]+)/(?P<outcome>pay|decline|expire)$")

_PAY_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>SumUp (fake) · Pay</title>
<style>body{{font-family:sans-serif;max-width:28rem;margin:3rem auto}}
button{{font-size:1.1rem;margin:.3rem}}</style>
</head><body>
<h1>Fake SumUp checkout</h1>
<p>{description}</p>
<p class="amount">Amount: <strong>{amount} {currency}</strong></p>
<p>Status: <span class="status">{status}</span></p>
{form}
</body></html>"""

_PAY_FORM = """<form method="post">
<button type="submit" name="outcome" value="pay">Pay</button>
<button type="submit" name="outcome" value="decline">Decline</button>
</form>"""


def handler_for(fake: FakeSumUp) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args) -> None:  # keep test output quiet
            pass

        def _send(
            self,
            status: int,
            payload: dict | list | str,
            content_type: str = "application/json",
            faults: str = "",
        ) -> None:
            """`faults` names the counters (`checkout`, `refund`) whose hostile answers this may be."""
            if faults and isinstance(payload, dict) and fake.take(f"{faults}_huge"):
                payload = {**payload, "padding": "x" * fake.huge_bytes}
            body = (payload if isinstance(payload, str) else json.dumps(payload)).encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            drip = bool(faults) and fake.take(f"{faults}_drip")
            with suppress(BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
                if not drip:
                    self.wfile.write(body)
                    return
                for index in range(len(body)):
                    self.wfile.write(body[index : index + 1])
                    self.wfile.flush()
                    time.sleep(fake.drip_interval)

        def _redirect(self, location: str) -> None:
            self.send_response(303)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _body(self) -> bytes:
            length = int(self.headers.get("Content-Length") or 0)
            return self.rfile.read(length) if length else b""

        def _authorised(self) -> bool:
            for hook in fake.request_hooks:
                try:
                    hook(self.command, urlsplit(self.path).path)
                except BaseException as exc:  # reported to the test, never to the caller
                    fake.hook_errors.append(exc)
            if self.headers.get("Authorization") == f"Bearer {fake.api_key}":
                return True
            self._send(
                401,
                {"type": "about:blank", "title": "Unauthorized", "status": 401},
                "application/problem+json",
            )
            return False

        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            if match := _CHECKOUT_PATH.match(path):
                if not self._authorised():
                    return
                if fake.take("checkout_failures"):
                    self._send(503, {"title": "Service Unavailable", "status": 503})
                    return
                checkout = fake.get_checkout(match["id"])
                fake.answer_slowly("checkout_slow")
                if checkout is None:
                    self._send(404, {"error_code": "NOT_FOUND", "message": "Resource not found"})
                else:
                    self._send(200, checkout, faults="checkout")
            elif match := _PAY_PATH.match(path):
                checkout = fake.get_checkout(match["id"])
                if checkout is None:
                    self._send(404, "<h1>No such checkout</h1>", "text/html")
                    return
                page = _PAY_PAGE.format(
                    description=html.escape(checkout.get("description") or ""),
                    amount=f"{checkout['amount']:.2f}",
                    currency=html.escape(checkout["currency"]),
                    status=checkout["status"],
                    form=_PAY_FORM if checkout["status"] == "PENDING" else "",
                )
                self._send(200, page, "text/html; charset=utf-8")
            elif path == "/_test/refunds":
                self._send(200, fake.refunds)
            else:
                self._send(404, {"error_code": "NOT_FOUND", "message": "Resource not found"})

        def do_POST(self) -> None:
            split = urlsplit(self.path)
            path = split.path
            raw = self._body()
            if path == "/v0.1/checkouts":
                if not self._authorised():
                    return
                try:
                    data = json.loads(raw or b"{}")
                except ValueError:
                    self._send(400, {"message": "Invalid JSON", "error_code": "INVALID"})
                    return
                self._send(*fake.create_checkout(data))
            elif match := _REFUND_PATH.match(path):
                if not self._authorised():
                    return
                answer = fake.refund(
                    match["merchant"],
                    match["tx"],
                    json.loads(raw or b"{}"),
                    idempotency_key=self.headers.get("Idempotency-Key", ""),
                )
                fake.answer_slowly("refund_slow")  # refunded already: only the answer is late
                self._send(*answer, faults="refund")
            elif match := _PAY_PATH.match(path):
                outcome = parse_qs(raw.decode()).get("outcome", [""])[0]
                if outcome not in ("pay", "decline"):
                    self._send(400, "<h1>Choose pay or decline</h1>", "text/html")
                    return
                fake.settle(match["id"], outcome)
                checkout = fake.checkouts.get(match["id"]) or {}
                self._redirect(checkout.get("redirect_url") or path)
            elif path == "/_test/refunds/fail":
                fake.refund_failures = int(parse_qs(split.query).get("count", ["1"])[0])
                self._send(200, {"refund_failures": fake.refund_failures})
            elif match := _HOOK_PATH.match(path):
                webhook = parse_qs(split.query).get("webhook", ["async"])[0]
                checkout = fake.settle(match["id"], match["outcome"], webhook=webhook)
                self._send(200 if checkout else 409, checkout or {"message": "not pending"})
            else:
                self._send(404, {"error_code": "NOT_FOUND", "message": "Resource not found"})

        def do_DELETE(self) -> None:
            if match := _CHECKOUT_PATH.match(urlsplit(self.path).path):
                if self._authorised():
                    self._send(*fake.deactivate(match["id"]))
            else:
                self._send(404, {"error_code": "NOT_FOUND", "message": "Resource not found"})

    return Handler
