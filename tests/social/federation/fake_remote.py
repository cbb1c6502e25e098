"""A fake remote ActivityPub server of ours: its own keys, actors and inboxes, on a real 127.0.0.1 port.

It serves actor documents, records every POST to its inboxes after verifying the signature against
the sender's key (fetched over HTTP, or handed to it with `trust` when no live server serves ours),
and signs activities it sends to us (cavage or RFC 9421). `hold()` makes it keep the next POSTs
waiting without answering them, as a stuck remote does: a test kills the worker that is waiting.
"""

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests

from social.federation.keys import key_pair_generate
from social.federation.signatures import CAVAGE, PublicKey, SignatureError, request_sign, request_verify
from tests.conftest import free_port

_KEYS = key_pair_generate()  # one key pair per test session: RSA generation is slow


class FakeRemote:
    def __init__(self, *, accept_schemes=(CAVAGE, "rfc9421"), shared_inbox=True, cache_keys=False):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.private_pem, self.public_pem = _KEYS
        self.accept_schemes = set(accept_schemes)
        self.shared_inbox = shared_inbox
        self.received: list[dict] = []  # verified activities, in arrival order
        self.rejected: list[str] = []  # why a POST got a 401
        self.status_override: int | None = None
        self.actor_overrides: dict[str, dict] = {}
        self.gone: set[str] = set()
        self.trusted_keys: dict[str, PublicKey] = {}
        self.held: list[dict] = []  # verified POSTs held unanswered (never in `received`)
        self.holding = threading.Event()  # set once a held POST has arrived
        self.released = threading.Event()
        self.holding_posts = False
        self.hold_seconds = 0.0
        self.post_delay = 0.0  # seconds each inbox POST takes, so a fault can land mid-fan-out
        self.cache_keys = cache_keys  # fetch each sender key once (a fan-out to hundreds of inboxes)
        self.keys: dict[str, PublicKey] = {}
        self.lock = threading.Lock()
        self.arrived = threading.Condition(self.lock)
        remote = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                name = self.path.split("?")[0].removeprefix("/users/")
                if not self.path.startswith("/users/") or "/" in name:
                    self.send_response(404)
                    self.end_headers()
                    return
                if name in remote.gone:
                    self.send_response(410)
                    self.end_headers()
                    return
                body = json.dumps(remote.actor_document(name)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/activity+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                status = remote.inbox_post(self.command, self.path, dict(self.headers.items()), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release()  # a held handler thread would keep shutdown waiting
        self.server.shutdown()
        self.server.server_close()

    # --- what it serves -------------------------------------------------------------------------

    def actor_uri(self, name: str = "alice") -> str:
        return f"{self.base}/users/{name}"

    def actor_document(self, name: str) -> dict:
        uri = self.actor_uri(name)
        document = {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": uri,
            "type": "Person",
            "preferredUsername": name,
            "name": name.title(),
            "url": f"{self.base}/@{name}",
            "inbox": f"{uri}/inbox",
            "outbox": f"{uri}/outbox",
            "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": self.public_pem},
        }
        if self.shared_inbox:
            document["endpoints"] = {"sharedInbox": f"{self.base}/inbox"}
        document.update(self.actor_overrides.get(name, {}))
        return document

    def inbox_post(self, method, path, headers, body) -> int:
        lower = {name.lower(): value for name, value in headers.items()}
        scheme = "rfc9421" if "signature-input" in lower else CAVAGE
        if scheme not in self.accept_schemes:
            with self.lock:
                self.rejected.append(f"scheme {scheme} not accepted")
            return 401
        try:
            verified = request_verify(
                method=method, url=self.base + path, headers=lower, body=body, lookup=self._fetch_key
            )
        except SignatureError as exc:
            with self.lock:
                self.rejected.append(exc.reason)
            return 401
        activity = json.loads(body)
        if verified.owner != activity.get("actor"):
            with self.lock:
                self.rejected.append("key owner is not the actor")
            return 401
        if self.status_override:
            return self.status_override
        if self.holding_posts:
            with self.lock:
                self.held.append({"path": path, "scheme": scheme, "activity": activity})
            self.holding.set()
            self.released.wait(timeout=self.hold_seconds)
            return 503  # whoever sent it has long given up (or been killed)
        if self.post_delay:
            time.sleep(self.post_delay)
        with self.arrived:
            self.received.append({"path": path, "scheme": scheme, "activity": activity, "headers": lower})
            self.arrived.notify_all()
        return 202

    def trust(self, key_id: str, owner: str, public_pem: str) -> None:
        """Verify signatures by this key without fetching it (our site is not served in this test)."""
        self.trusted_keys[key_id] = PublicKey(key_id=key_id, owner=owner, pem=public_pem)

    def hold(self, seconds: float = 120.0) -> None:
        """Keep every POST from now on waiting (unanswered, unrecorded) until `release` or `seconds`."""
        self.holding_posts, self.hold_seconds = True, seconds
        self.holding.clear()
        self.released.clear()

    def release(self) -> None:
        self.holding_posts = False
        self.released.set()

    def _fetch_key(self, key_id: str, refresh: bool) -> PublicKey | None:
        if key_id in self.trusted_keys:
            return self.trusted_keys[key_id]
        if self.cache_keys and not refresh and key_id in self.keys:
            return self.keys[key_id]
        try:
            response = requests.get(
                key_id.split("#")[0], headers={"Accept": "application/activity+json"}, timeout=20
            )
        except requests.RequestException:
            return None
        if response.status_code != 200:
            return None
        document = response.json()
        key = document["publicKey"]
        self.keys[key_id] = PublicKey(key_id=key["id"], owner=key["owner"], pem=key["publicKeyPem"])
        return self.keys[key_id]

    def wait_for(self, predicate, timeout: float = 10.0) -> dict:
        """The first received activity matching predicate, waiting for it to arrive."""
        with self.arrived:
            found = self.arrived.wait_for(
                lambda: next((r for r in self.received if predicate(r["activity"])), None), timeout=timeout
            )
        if not found:
            raise AssertionError(
                f"nothing matching arrived; got {[r['activity'] for r in self.received]}; "
                f"refused (401): {self.rejected}"
            )
        return found

    # --- what it sends --------------------------------------------------------------------------

    def activity(self, activity_type: str, obj, name: str = "alice", **extra) -> dict:
        return {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": f"{self.base}/activities/{uuid.uuid4()}",
            "type": activity_type,
            "actor": self.actor_uri(name),
            "object": obj,
            **extra,
        }

    def signed_headers(self, url: str, body: bytes, *, scheme: str = CAVAGE, name: str = "alice") -> dict:
        headers = request_sign(
            scheme=scheme,
            method="POST",
            url=url,
            body=body,
            key_id=f"{self.actor_uri(name)}#main-key",
            private_key_pem=self.private_pem,
        )
        return {"Content-Type": "application/activity+json", **headers}

    def send(
        self, url: str, activity: dict, *, scheme: str = CAVAGE, name: str = "alice"
    ) -> requests.Response:
        body = json.dumps(activity).encode()
        return requests.post(url, data=body, headers=self.signed_headers(url, body, scheme=scheme, name=name))
