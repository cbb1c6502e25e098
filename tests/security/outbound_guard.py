"""A test guard: every outbound connection and email of the test thread, and whether a transaction was open.

The rule it checks (STYLE.md, "the database call, then the world"): inside ``transaction.atomic`` or
under ``select_for_update`` only the database is touched. HTTP and SMTP go after commit. Use it with
``@pytest.mark.django_db(transaction=True)``: the test then runs outside any transaction of its own, so
``connection.in_atomic_block`` is True only where our code (or ATOMIC_REQUESTS around a view) opened
one. Import the fixture into a test module explicitly:

    from tests.security.outbound_guard import outbound_guard_fixture  # noqa: F401

and ask for ``outbound_guard`` in the test's arguments. End the test
with ``outbound_guard.assert_clean(kind)``, which also demands that at least one
call of that kind happened (a guard that saw nothing proves nothing). Teardown fails the test as well
if anything went out inside a transaction that the test did not already assert on.
"""

import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import urllib3.connection
from django.conf import settings
from django.db import connection

from tests.security.failing_mail import RefusingBackend


@dataclass(frozen=True)
class Outbound:
    kind: str  # "connect" (a TCP connection) or "mail" (a message handed to the mail backend)
    target: str  # host:port, or the recipients
    in_atomic: bool


class OutboundLog:
    """What the test thread sent out, in order."""

    def __init__(self, thread: threading.Thread, skipped_ports: set[int]):
        self.thread = thread
        self.skipped_ports = skipped_ports
        self.calls: list[Outbound] = []
        self.checked = False
        # Called in the test thread just before a connection opens: lets a test look at the database
        # at that moment (what had been recorded before this POST went).
        self.on_connect: Callable[[Outbound], None] | None = None
        self.on_mail: Callable[[Outbound], None] | None = None  # the same, as a message is handed over

    def record(self, kind: str, target: str) -> None:
        if threading.current_thread() is not self.thread:
            return  # the fake servers' own threads, a live server's: not the code under test
        call = Outbound(kind, target, connection.in_atomic_block)
        self.calls.append(call)
        hook = self.on_connect if kind == "connect" else self.on_mail
        if hook is not None:
            hook(call)

    def of(self, kind: str) -> list[Outbound]:
        return [call for call in self.calls if call.kind == kind]

    def inside(self) -> list[Outbound]:
        return [call for call in self.calls if call.in_atomic]

    def assert_clean(self, *kinds: str) -> None:
        """Nothing went out inside a transaction, and something of each kind named went out at all."""
        self.checked = True
        for kind in kinds:
            assert self.of(kind), f"no {kind} happened: the flow under test did not reach the network"
        assert not self.inside(), f"sent inside a database transaction: {self.inside()}"

    def clear(self) -> None:
        self.calls.clear()


_active: OutboundLog | None = None


class RecordingBackend(RefusingBackend):
    """Django's locmem backend (messages land in ``mail.outbox``) that tells the guard of each message,
    and refuses the addresses in ``failing_mail.REFUSED`` as an SMTP server would (none unless a test
    adds some)."""

    def send_messages(self, messages):
        if _active is not None:
            for message in messages:
                _active.record("mail", ",".join(message.to))
        return super().send_messages(messages)


def _service_ports() -> set[int]:
    """Ports of our own services (Redis is spoken from Python; PostgreSQL from libpq, unseen anyway)."""
    ports = set()
    for url in (getattr(settings, "REDIS_URL", "") or "", getattr(settings, "CELERY_BROKER_URL", "") or ""):
        if url:
            ports.add(urlsplit(url).port or 6379)
    port = settings.DATABASES["default"].get("PORT")
    if port:
        ports.add(int(port))
    return ports


@pytest.fixture(name="outbound_guard")
def outbound_guard_fixture(settings, monkeypatch):
    global _active
    log = OutboundLog(threading.current_thread(), _service_ports())
    original_connect, original_connect_ex = socket.socket.connect, socket.socket.connect_ex

    def note(host: str, port: int) -> None:
        if port not in log.skipped_ports:
            log.record("connect", f"{host}:{port}")

    def seen(sock, address) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6) and isinstance(address, tuple):
            note(address[0], address[1])

    def connect(sock, address):
        seen(sock, address)
        return original_connect(sock, address)

    def connect_ex(sock, address):
        seen(sock, address)
        return original_connect_ex(sock, address)

    def request(http_connection, *args, **kwargs):
        # A kept-alive connection from the edge's pool (federation, SumUp) makes no connect() for its
        # next request: each request after its first counts as one.
        if getattr(http_connection, "_outbound_guard_used", False):
            note(http_connection.host, http_connection.port)
        http_connection._outbound_guard_used = True
        return original_request(http_connection, *args, **kwargs)

    original_request = urllib3.connection.HTTPConnection.request
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(urllib3.connection.HTTPConnection, "request", request)
    settings.EMAIL_BACKEND = "tests.security.outbound_guard.RecordingBackend"
    _active = log
    try:
        yield log
    finally:
        _active = None
    if not log.checked and log.inside():
        pytest.fail(f"sent inside a database transaction: {log.inside()}")
