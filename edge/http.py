"""Outbound HTTP to URLs another server or a user chose: public addresses only, a total deadline, a size cap.

- The host name is resolved once, when the connection is made; every address it resolves to is checked
  (edge.addresses) and the socket connects to the checked address, so DNS rebinding has no second look-up
  to win. The Host header, TLS SNI and certificate check still use the name.
- One deadline (EDGE_FETCH_DEADLINE_SECONDS, 10 s) covers the connect, the headers and every read of
  the body, redirects included: urllib3's timeouts are per socket operation, so a server dripping a byte
  every two seconds would never trip them. A watchdog shuts the socket down when the deadline passes.
- At most max_bytes of body are read (EDGE_FETCH_MAX_BYTES, 1 MB), whatever Content-Length says.
- Proxies from the environment are ignored: the address connected to must be the one checked.
"""

import contextvars
import heapq
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import certifi
from django.conf import settings
from urllib3 import PoolManager, Timeout
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError, NewConnectionError
from urllib3.util.connection import create_connection

from .addresses import address_refusal, parse
from .urls import authority_ambiguous


class RemoteFetchError(Exception):
    """A request to another server was refused, failed, took too long or answered too much."""


class ResponseTooLarge(RemoteFetchError):
    """The answer is longer than the caller accepts."""


class DeadlinePassed(RemoteFetchError):
    """No complete answer came within the request's total deadline."""


class AddressRefused(NewConnectionError):
    """The name resolved to an address outside the public internet (and the allow-list)."""


def _setting(name: str, default):
    return getattr(settings, name, default)


# --- the deadline --------------------------------------------------------------------------------


class Deadline:
    """One total time limit for a request (or a chain of redirects); shuts its sockets when it passes."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.expired = False
        self.stopped = False
        self._lock = threading.Lock()
        self._connections: list[_GuardedConnectionMixin] = []

    def remaining(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    def watch(self, connection: "_GuardedConnectionMixin") -> None:
        with self._lock:
            if self.expired:
                connection.interrupt()
            else:
                self._connections.append(connection)

    def _expire(self) -> None:
        with self._lock:
            if self.stopped:
                return
            self.expired = True
            for connection in self._connections:
                connection.interrupt()  # a blocked read returns at once, whatever its own timeout
            self._connections.clear()

    def start(self) -> None:
        _watchdog.add(self)

    def stop(self) -> None:
        with self._lock:
            self.stopped = True
            self._connections.clear()


class _Watchdog:
    """One thread watching every deadline of the process. A thread per request (threading.Timer)
    cost more than the request itself in a fan-out of thousands of POSTs on a busy machine; here a
    request only pushes onto a heap. Stopped deadlines are dropped when their time comes."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._wake = threading.Condition()
        self._thread: threading.Thread | None = None
        self._count = 0

    def add(self, running: Deadline) -> None:
        with self._wake:
            self._count += 1
            heapq.heappush(self._heap, (running.ends, self._count, running))
            if self._thread is None or not self._thread.is_alive():  # first use, or after a fork
                self._thread = threading.Thread(target=self._run, name="edge-deadlines", daemon=True)
                self._thread.start()
            if self._heap[0][2] is running:  # it is now the earliest: the thread sleeps too long
                self._wake.notify()

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._heap and (self._heap[0][2].stopped or self._heap[0][0] <= time.monotonic()):
                    due = heapq.heappop(self._heap)[2]
                    if not due.stopped:
                        due._expire()
                self._wake.wait(self._heap[0][0] - time.monotonic() if self._heap else None)


_watchdog = _Watchdog()


_current: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar("edge_deadline", default=None)


@contextmanager
def deadline(seconds: float | None = None) -> Iterator[Deadline]:
    """The deadline in force, or a new one: a fetch that follows redirects keeps its first deadline."""
    running = _current.get()
    if running is not None:
        yield running
        return
    new = Deadline(seconds if seconds is not None else _setting("EDGE_FETCH_DEADLINE_SECONDS", 10.0))
    token = _current.set(new)
    new.start()
    try:
        yield new
    finally:
        new.stop()
        _current.reset(token)


# --- connections that check the address they connect to ----------------------------------------


class _GuardedConnectionMixin:
    """A urllib3 connection that resolves its host once, checks every address, connects to a checked one."""

    _interrupt_handle: socket.socket | None = None

    def _new_conn(self) -> socket.socket:
        try:
            infos = socket.getaddrinfo(self._dns_host, self.port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise NewConnectionError(self, f"cannot resolve {self._dns_host}: {exc}") from None
        addresses = list(dict.fromkeys(info[4][0] for info in infos))
        for address in addresses:
            refusal = address_refusal(parse(address))
            if refusal:
                raise AddressRefused(self, f"{self.host} resolves to a non-public address: {refusal}")
        error: OSError | None = None
        sock: socket.socket | None = None
        running = _current.get()
        for address in addresses:
            # Each address tried gets only what is left of the deadline, so many addresses cannot add up.
            timeout = self.timeout if running is None else min(self.timeout or 1e9, running.remaining())
            if running is not None and timeout <= 0:
                error = TimeoutError("the deadline passed while connecting")
                break
            try:
                sock = create_connection(
                    (address, self.port),
                    timeout,
                    source_address=self.source_address,
                    socket_options=self.socket_options,
                )
                break
            except OSError as exc:
                error = exc
        if sock is None:
            raise NewConnectionError(self, f"cannot connect to {self.host}: {error}")
        # A second descriptor of the same socket: TLS takes over the first, this one can still shut it.
        self._interrupt_handle = sock.dup()
        if running is not None:
            running.watch(self)
        return sock

    def request(self, *args, **kwargs):
        running = _current.get()
        if running is not None:
            running.watch(self)  # a kept-alive connection serves a new deadline
        return super().request(*args, **kwargs)

    def interrupt(self) -> None:
        handle = self._interrupt_handle
        if handle is not None:
            with suppress(OSError):  # already closed: nothing left to interrupt
                handle.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        super().close()
        handle, self._interrupt_handle = self._interrupt_handle, None
        if handle is not None:
            handle.close()


class _GuardedHTTPConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class _GuardedHTTPSConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _GuardedHTTPPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHTTPConnection


class _GuardedHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHTTPSConnection


def pool_new(ca_certs: str | None = None) -> PoolManager:
    """Connection pools whose every connection is guarded. urllib3 directly, not requests: requests'
    per-call work around urllib3 (merging settings, preparing, wrapping the answer) cost about as much
    CPU as urllib3's own sending of each POST in a fan-out of a thousand. No proxy, netrc or CA bundle
    comes from the environment: certificates are checked against certifi's bundle, as requests did."""
    # A fan-out reaches hundreds of hosts, and each pool evicted is a new TCP (and TLS) handshake the
    # next time an activity goes there.
    manager = PoolManager(
        num_pools=256, maxsize=8, cert_reqs="CERT_REQUIRED", ca_certs=ca_certs or certifi.where()
    )
    manager.pool_classes_by_scheme = {"http": _GuardedHTTPPool, "https": _GuardedHTTPSPool}
    return manager


# One pool manager per process, shared by its threads: keep-alive connections outlive a task.
_pool = pool_new()
# What requests sent unless told otherwise; remote servers may compress (the size cap counts the
# decompressed bytes).
_DEFAULT_HEADERS = {"Accept": "*/*", "Accept-Encoding": "gzip, deflate"}


# --- requests ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoteResponse:
    url: str
    status_code: int
    headers: Mapping[str, str] = field(repr=False)
    content: bytes = field(repr=False)

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", errors="replace")

    @property
    def is_redirect(self) -> bool:
        return self.status_code in (301, 302, 303, 307, 308) and "location" in self.headers


def url_check(url: str) -> None:
    """Refuse anything but an absolute http(s) URL with a host that every parser reads alike."""
    try:
        parts = urlsplit(url)
        acceptable = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        acceptable = False
    acceptable = acceptable and not authority_ambiguous(url)  # else we would check one host, reach another
    if not acceptable:
        raise RemoteFetchError(f"not an http(s) URL: {url!r}")


def host_refusal(url: str) -> str:
    """Why the URL's host may not be reached ("" if it may), from one look-up now.

    Only an early, readable refusal: a later look-up may answer otherwise, so the connection checks again.
    """
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        return f"cannot resolve {parts.hostname}: {exc}"
    for info in infos:
        refusal = address_refusal(parse(info[4][0]))
        if refusal:
            return f"{parts.hostname} resolves to a non-public address: {refusal}"
    return ""


def _refusal_in(exc: BaseException) -> AddressRefused | None:
    """The AddressRefused that requests and urllib3 wrapped (as a reason, a cause or an argument)."""
    seen: set[int] = set()
    stack: list[object] = [exc]
    while stack:
        error = stack.pop()
        if not isinstance(error, BaseException) or id(error) in seen:
            continue
        seen.add(id(error))
        if isinstance(error, AddressRefused):
            return error
        stack.extend([getattr(error, "reason", None), error.__cause__, error.__context__, *error.args])
    return None


def _why(exc: Exception, url: str, running: Deadline) -> str:
    if running.expired:
        return f"{url}: no complete answer within {running.seconds:g} s"
    refused = _refusal_in(exc)
    return f"{url}: {refused if refused is not None else exc}"


def remote_request(
    method: str,
    url: str,
    *,
    headers: Mapping[str, str] | None = None,
    data: bytes | None = None,
    max_bytes: int | None = None,
    truncate: bool = False,
    deadline_seconds: float | None = None,
    redirects: int = 0,
) -> RemoteResponse:
    """One request (following up to `redirects` redirects of a GET, each target checked like the first).

    Raises RemoteFetchError on refusal, failure, timeout or size (ResponseTooLarge).
    truncate: keep the first max_bytes of a longer body instead of failing (a POST's answer, kept for logs).
    """
    limit = max_bytes if max_bytes is not None else _setting("EDGE_FETCH_MAX_BYTES", 1_000_000)
    with deadline(deadline_seconds) as running:
        for _hop in range(redirects + 1):
            response = _request_once(method, url, headers, data, limit, truncate, running)
            if not (response.is_redirect and method == "GET"):
                return response
            url = urljoin(url, response.headers["location"])
    return response


def _request_once(
    method: str,
    url: str,
    headers: Mapping[str, str] | None,
    data: bytes | None,
    limit: int,
    truncate: bool,
    running: Deadline,
) -> RemoteResponse:
    url_check(url)
    remaining = running.remaining()
    timeout = (min(_setting("EDGE_CONNECT_TIMEOUT", 5.0), remaining) or 0.001, remaining or 0.001)
    body = bytearray()
    try:
        response = _pool.urlopen(
            method,
            url,
            body=data,
            headers={**_DEFAULT_HEADERS, **(headers or {})},
            timeout=Timeout(connect=timeout[0], read=timeout[1]),
            retries=False,
            redirect=False,
            preload_content=False,
        )
        complete = False
        try:
            declared = response.headers.get("Content-Length", "")
            if not truncate and declared.isdigit() and int(declared) > limit:
                raise ResponseTooLarge(f"{url}: larger than {limit} bytes")
            for chunk in response.stream(65536):
                body += chunk
                if len(body) > limit:
                    if truncate:
                        del body[limit:]
                        break
                    raise ResponseTooLarge(f"{url}: larger than {limit} bytes")
                if running.expired:
                    break
            else:
                complete = True
        finally:
            if not complete:  # what is left unread would be the next request's answer: drop the connection
                response.close()
            response.release_conn()
    except (HTTPError, OSError) as exc:
        raise (DeadlinePassed if running.expired else RemoteFetchError)(_why(exc, url, running)) from None
    if running.expired:
        # A shut socket reads as the end of the body: what arrived may be cut short.
        raise DeadlinePassed(_why(TimeoutError(), url, running))
    return RemoteResponse(url=url, status_code=response.status, headers=response.headers, content=bytes(body))
