"""Bad input at the inbox is a 4xx, never a 500: nesting, Content-Length, keys that cannot be had."""

import json

import pytest

from social.federation.models import InboxItem, RemoteActor
from tests.conftest import free_port

pytest_plugins = ["tests.security.hostile_remote"]  # network, offline_site, inbox_post
pytestmark = pytest.mark.django_db
BLOG_INBOX = "/ap/users/blog/inbox"


@pytest.fixture
def blog(offline_site):
    from social.federation.actors import local_actor_get

    return local_actor_get("blog")


def _raw_post(client, body: bytes, **extra):
    return client.generic("POST", BLOG_INBOX, body, content_type="application/activity+json", **extra)


@pytest.mark.parametrize("depth", [100_000, 200])
def test_inbox_deeply_nested_json_is_400(client, blog, depth):
    body = (
        b'{"type":"Like","actor":"https://a.example/users/x","object":' + b"[" * depth + b"]" * depth + b"}"
    )
    response = _raw_post(client, body)
    assert response.status_code == 400
    assert not InboxItem.objects.exists()


def test_inbox_ordinary_nesting_still_passes_parsing(network, blog, inbox_post):
    b = network["b"]
    b.serve_actor("mallory")
    note = {"id": b.url("/notes/1"), "type": "Note", "tag": [{"type": "Mention", "href": {"a": [1]}}]}
    activity = b.activity("Create", note, actor=b.actor_uri("mallory"))
    assert inbox_post(b, activity, key_id=b.key_id("mallory")).status_code == 202


@pytest.mark.parametrize("length", ["abc", "-5", "1e3", " "])
def test_inbox_malformed_content_length_is_400(client, blog, length):
    body = json.dumps({"type": "Like", "actor": "https://a.example/users/x", "object": "x"}).encode()
    response = _raw_post(client, body, CONTENT_LENGTH=length)
    assert response.status_code == 400


def test_inbox_key_server_down_is_401(network, blog, inbox_post):
    b = network["b"]
    actor = f"http://127.0.0.1:{free_port()}/users/gone"  # nothing listens there
    response = inbox_post(b, b.activity("Like", "x", actor=actor, id=None), key_id=f"{actor}#main-key")
    assert response.status_code == 401


@pytest.mark.parametrize(
    "document",
    [
        {"publicKey": "not a key"},
        {"publicKey": [None, 5]},
        {"publicKey": {"id": 5, "publicKeyPem": []}},
        {"inbox": None, "owner": {"id": "x"}},
        {"id": ["a list"]},
    ],
)
def test_inbox_broken_actor_document_is_401(network, blog, inbox_post, document):
    b = network["b"]
    b.serve_actor("mallory", **document)
    activity = b.activity("Like", "x", actor=b.actor_uri("mallory"))
    assert inbox_post(b, activity, key_id=b.key_id("mallory")).status_code == 401
    assert not RemoteActor.objects.exists()


def test_inbox_key_document_not_json_is_401(network, blog, inbox_post):
    b = network["b"]
    b.raw["/users/mallory"] = b"<html>not json</html>"
    activity = b.activity("Like", "x", actor=b.actor_uri("mallory"))
    assert inbox_post(b, activity, key_id=b.key_id("mallory")).status_code == 401


def test_inbox_actor_document_with_odd_fields_is_stored_without_them(network, blog, inbox_post):
    b = network["b"]
    b.serve_actor("mallory", endpoints="nope", alsoKnownAs="nope", inbox=b.url("/users/mallory/inbox"))
    activity = b.activity("Like", "x", actor=b.actor_uri("mallory"))
    assert inbox_post(b, activity, key_id=b.key_id("mallory")).status_code == 202
    stored = RemoteActor.objects.get()
    assert (stored.shared_inbox, stored.also_known_as) == ("", [])


def test_inbox_actor_id_too_long_to_store_is_401(network, blog, inbox_post):
    b = network["b"]
    long_id = b.actor_uri("mallory") + "?" + "x" * 600
    key_id = b.url("/users/mallory#main-key")
    b.serve_actor(
        "mallory", id=long_id, publicKey={"id": key_id, "owner": long_id, "publicKeyPem": b.public_pem}
    )
    b.documents["/users/mallory?" + "x" * 600] = b.documents["/users/mallory"]
    activity = b.activity("Like", "x", actor=long_id)
    assert inbox_post(b, activity, key_id=key_id).status_code == 401
    assert not RemoteActor.objects.exists()


def test_inbox_key_document_nested_too_deeply_is_401(network, blog, inbox_post):
    b = network["b"]
    b.raw["/users/mallory"] = b'{"id":' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    activity = b.activity("Like", "x", actor=b.actor_uri("mallory"))
    assert inbox_post(b, activity, key_id=b.key_id("mallory")).status_code == 401
