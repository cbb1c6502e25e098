"""Ids whose host our checks read one way and the HTTP client another: no origin, never fetched.

urllib.parse reads "http://b.example\\@a.example/x" as a URL on a.example (the backslash is part
of the user name), while urllib3, which makes the connection, ends the host at the backslash (as
browsers do) and connects to b.example. Every origin check used urllib.parse, so B could serve a
document "of A" from a key id spelt this way and be believed as A's actor.
"""

import pytest

from social.federation.actors import key_lookup, remote_actor_get
from social.federation.fetch import FetchError, fetch_document
from social.federation.models import InboxItem, RemoteActor
from social.federation.origins import host_domain, same_origin, url_origin
from social.hub.inbound import activity_handle
from social.hub.models import TimelineItem
from tests.security.test_federation_identity import _following, alice, blog, post  # noqa: F401

pytest_plugins = ["tests.security.hostile_remote"]  # network, offline_site, inbox_post
pytestmark = pytest.mark.django_db


def _disguised(b, a, path: str) -> str:
    """A URL that urllib.parse places on A and urllib3 connects to B for."""
    return f"http://127.0.0.1:{b.port}\\@127.0.0.1:{a.port}{path}"


def test_key_id_read_as_on_a_but_served_by_b_does_not_take_over_alice(network, alice, post, inbox_post):  # noqa: F811
    a, b = network["a"], network["b"]
    key_id = _disguised(b, a, "/users/alice") + "#main-key"
    # B answers with a document claiming A's alice, with B's key.
    key = {"id": key_id, "owner": alice.uri, "publicKeyPem": b.public_pem}
    forged = b.actor_document("alice", id=alice.uri, inbox=alice.uri + "/inbox", name="Owned", publicKey=key)
    b.documents[f"/%5C@127.0.0.1:{a.port}/users/alice"] = forged  # the path urllib3 asks B for
    activity = a.activity("Like", post.data["id"], actor=alice.uri)
    response = inbox_post(b, activity, key_id=key_id)
    assert response.status_code == 401
    stored = RemoteActor.objects.get(uri=alice.uri)
    assert stored.name == "Alice" and stored.public_key_pem == a.public_pem
    assert not InboxItem.objects.exists()
    assert key_lookup(key_id, True) is None


def test_disguised_urls_have_no_origin_and_are_not_fetched(network, blog):  # noqa: F811
    a, b = network["a"], network["b"]
    b.serve_actor("mallory")
    disguised = _disguised(b, a, "/users/mallory")
    assert url_origin(disguised) is None
    assert not same_origin(disguised, a.actor_uri("alice"))
    assert host_domain(disguised) == ""  # no server we can name (nor block, nor trust)
    with pytest.raises(FetchError):
        fetch_document(disguised)
    assert remote_actor_get(disguised) is None
    assert b.fetched == []  # nothing was asked of B


def test_hub_boost_of_a_disguised_post_is_not_shown_as_alices(network, alice, blog):  # noqa: F811
    a, b = network["a"], network["b"]
    _following(blog, alice)
    post_id = _disguised(b, a, "/statuses/9")
    document = {"id": post_id, "type": "Note", "attributedTo": alice.uri, "content": "<p>forged</p>"}
    b.documents[f"/%5C@127.0.0.1:{a.port}/statuses/9"] = document  # the path urllib3 asks B for
    carol = network["c"]
    carol.serve_actor("carol")
    booster = remote_actor_get(carol.actor_uri("carol"))
    _following(blog, booster)
    outcome = activity_handle(carol.activity("Announce", post_id, actor=booster.uri), booster)
    assert outcome.startswith("ignored")
    assert not TimelineItem.objects.exists()


def test_inbox_refuses_an_actor_id_disguised_this_way(network, blog, post, inbox_post):  # noqa: F811
    """Else a blocked B would name its actors "http://b\\@innocent/…" and pass the domain block."""
    a, b = network["a"], network["b"]
    mallory = _disguised(b, a, "/users/mallory")
    b.documents[f"/%5C@127.0.0.1:{a.port}/users/mallory"] = b.actor_document("mallory", id=mallory)
    response = inbox_post(b, b.activity("Like", post.data["id"], actor=mallory), key_id=mallory + "#main-key")
    assert response.status_code == 400
    assert not InboxItem.objects.exists() and b.fetched == []
