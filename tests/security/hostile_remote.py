"""Hostile remote servers of ours: real HTTP on 127.0.0.1, one origin per port, each with its own keys.

A HostileRemote serves whatever documents a test puts at its paths (actor documents claiming another
server's ids included), redirects where told, records every path fetched from it, and signs POSTs to
our inbox with any key id a test names. As tests/social/federation/fake_remote.py, nothing is mocked:
our code fetches these documents over HTTP exactly as it would from a real server.
"""

import json
import threading
import uuid
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from social.federation.keys import key_pair_generate
from social.federation.signatures import CAVAGE, request_sign
from tests.conftest import free_port

AS_CONTEXT = ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"]


@cache
def key_pair(label: str) -> tuple[str, str]:
    """(private, public) PEM per label, made once per test session: RSA generation is slow."""
    return key_pair_generate()


class HostileRemote:
    """One origin (http://127.0.0.1:<port>) with its own key pair."""

    def __init__(self, label: str):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.private_pem, self.public_pem = key_pair(label)
        self.documents: dict[str, dict] = {}  # path → JSON served with 200
        self.raw: dict[str, bytes] = {}  # path → bytes served with 200 (not JSON, broken documents)
        self.redirects: dict[str, str] = {}  # path → Location (302)
        self.fetched: list[str] = []  # every path GET, in order
        self.lock = threading.Lock()
        remote = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                path = self.path.split("#")[0]
                with remote.lock:
                    remote.fetched.append(path)
                if path in remote.redirects:
                    self.send_response(302)
                    self.send_header("Location", remote.redirects[path])
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if path in remote.documents:
                    body = json.dumps(remote.documents[path]).encode()
                elif path in remote.raw:
                    body = remote.raw[path]
                else:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/activity+json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # --- what it serves -------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.base + path

    def actor_uri(self, name: str) -> str:
        return self.url(f"/users/{name}")

    def key_id(self, name: str) -> str:
        return f"{self.actor_uri(name)}#main-key"

    def actor_document(self, username: str, **overrides) -> dict:
        """An honest actor of this server: its id, inbox and key all here, the key its own."""
        name, uri = username, self.actor_uri(username)
        document = {
            "@context": AS_CONTEXT,
            "id": uri,
            "type": "Person",
            "preferredUsername": name,
            "name": name.title(),
            "inbox": f"{uri}/inbox",
            "endpoints": {"sharedInbox": self.url("/inbox")},
            "publicKey": {"id": self.key_id(name), "owner": uri, "publicKeyPem": self.public_pem},
        }
        return document | overrides

    def serve_actor(self, username: str, **overrides) -> dict:
        document = self.actor_document(username, **overrides)
        self.documents[f"/users/{username}"] = document
        return document

    def fetches_of(self, path: str) -> int:
        with self.lock:
            return self.fetched.count(path)

    # --- what it sends --------------------------------------------------------------------------

    def activity(self, activity_type: str, obj, *, actor: str, **extra) -> dict:
        """An activity claiming `actor`; its id is on this server unless `id` is given."""
        return {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": self.url(f"/activities/{uuid.uuid4()}"),
            "type": activity_type,
            "actor": actor,
            "object": obj,
            **extra,
        }

    def signed_headers(self, url: str, body: bytes, *, key_id: str, private_pem: str | None = None) -> dict:
        """Headers of a cavage-signed POST with `key_id`, signed with this server's key (or another)."""
        headers = request_sign(
            scheme=CAVAGE,
            method="POST",
            url=url,
            body=body,
            key_id=key_id,
            private_key_pem=private_pem or self.private_pem,
        )
        return {"Content-Type": "application/activity+json", **headers}


class HostileNetwork:
    """Several hostile origins at once: network["a"], network["b"], … started on first use."""

    def __init__(self):
        self.remotes: dict[str, HostileRemote] = {}

    def __getitem__(self, label: str) -> HostileRemote:
        if label not in self.remotes:
            self.remotes[label] = HostileRemote(label).__enter__()
        return self.remotes[label]

    def close(self) -> None:
        for remote in self.remotes.values():
            remote.__exit__(None, None, None)


# --- fixtures (imported by the tests/security test modules that use them) -------------------------

BLOG_INBOX = "/ap/users/blog/inbox"


@pytest.fixture
def network():
    hostile = HostileNetwork()
    yield hostile
    hostile.close()


@pytest.fixture
def offline_site(settings):
    """Our site at an address nothing listens on: nothing a test triggers can reach back to us."""
    settings.SITE_URL, settings.SITE_HOST = "http://127.0.0.1:9", "127.0.0.1:9"
    from social.federation import actors

    actors._key_cache.clear()  # keys verified by an earlier test must not answer for this one
    yield settings
    actors._key_cache.clear()


@pytest.fixture
def inbox_post(client, offline_site):
    """POST an activity to one of our inboxes through the test client, signed with the key id given."""

    def post(remote: HostileRemote, activity: dict, *, key_id: str, private_pem=None, path=BLOG_INBOX):
        body = json.dumps(activity).encode()
        headers = remote.signed_headers(
            offline_site.SITE_URL + path, body, key_id=key_id, private_pem=private_pem
        )
        content_type = headers.pop("Content-Type")
        return client.generic("POST", path, body, content_type=content_type, headers=headers)

    return post
