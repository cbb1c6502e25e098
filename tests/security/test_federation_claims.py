"""A server claiming someone else: signed by one actor for another, or an embedded object of another's.

Against the hostile servers of tests/security/hostile_remote.py (real HTTP on 127.0.0.1): what each is
refused at the inbox, and what the processing (federation's and the hub's) still refuses on its own.
"""

from urllib.parse import urlencode

import pytest

from social.federation.actors import key_lookup, remote_actor_get
from social.federation.inbox import inbox_item_process
from social.federation.models import Comment, InboxItem, Reaction, RemoteActor
from social.hub.inbound import activity_handle
from social.hub.models import TimelineItem
from social.hub.remote import AccountNotFound, account_resolve
from tests.security.test_federation_identity import _bob, _following, _note, alice, blog, post  # noqa: F401

pytest_plugins = ["tests.security.hostile_remote"]  # network, offline_site, inbox_post
pytestmark = pytest.mark.django_db
SITE = "http://127.0.0.1:9"  # offline_site's
TYPES = ["Follow", "Undo", "Like", "Announce", "Create", "Update", "Delete", "Accept", "Reject", "Move",
         "Flag", "Block", "Join", "Leave"]  # fmt: skip


def _object(kind: str, a, alice, post):  # noqa: F811
    blog_uri = f"{SITE}/ap/users/blog"
    note = _note(alice, post, a.url("/statuses/1"))
    follow = {"id": f"{SITE}/ap/activities/f1", "type": "Follow", "actor": blog_uri, "object": alice.uri}
    return {
        "Follow": blog_uri,
        "Undo": {"id": a.url("/follows/1"), "type": "Follow", "actor": alice.uri, "object": blog_uri},
        "Create": note,
        "Update": note,
        "Delete": a.url("/statuses/1"),
        "Accept": follow,
        "Reject": follow,
        "Move": alice.uri,
        "Flag": [blog_uri, post.data["id"]],
        "Block": blog_uri,
    }.get(kind, post.data["id"])


def _process(actor_uri: str, activity: dict) -> str:
    item = InboxItem.objects.create(activity_type=activity["type"], actor_uri=actor_uri, data=activity)
    return inbox_item_process(item.pk)


@pytest.mark.parametrize("kind", TYPES)
def test_activity_of_alice_signed_by_a_relay_is_refused(network, alice, post, inbox_post, kind):  # noqa: F811
    """A relay (or any server forwarding alice's activity) signs with its own key: not alice's word.
    An embedded LD signature claiming alice's key changes nothing: we do not verify those."""
    a, b = network["a"], network["b"]
    b.serve_actor("relay")
    before = RemoteActor.objects.filter(uri=alice.uri).values().get()
    activity = a.activity(kind, _object(kind, a, alice, post), actor=alice.uri)
    if kind == "Move":
        activity["target"] = b.actor_uri("relay")
    activity["signature"] = {"type": "RsaSignature2017", "creator": a.key_id("alice"), "signatureValue": "x"}
    response = inbox_post(b, activity, key_id=b.key_id("relay"))
    assert response.status_code == 401
    assert "does not belong" in response.json()["error"]
    assert not InboxItem.objects.exists()
    assert RemoteActor.objects.filter(uri=alice.uri).values().get() == before
    assert not RemoteActor.objects.filter(uri=b.actor_uri("relay")).exists()  # not stored on this word


# --- embedded objects of someone else ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["Create", "Update"])
@pytest.mark.parametrize("attributed", ["bob", "carol", "list"])
def test_note_attributed_to_someone_else_is_refused(network, alice, post, blog, inbox_post, kind, attributed):  # noqa: F811
    """Bob is on another server, carol on alice's own; an attributedTo list naming bob counts too."""
    a, b = network["a"], network["b"]
    other = {"bob": b.actor_uri("bob"), "carol": a.actor_uri("carol"), "list": [b.actor_uri("bob")]}
    note = _note(alice, post, a.url("/statuses/1")) | {"attributedTo": other[attributed]}
    response = inbox_post(a, a.activity(kind, note, actor=alice.uri), key_id=a.key_id("alice"))
    assert response.status_code == 403
    assert not InboxItem.objects.exists()


def test_update_of_another_actors_profile_changes_nothing(network, alice, post, blog, inbox_post):  # noqa: F811
    a, b = network["a"], network["b"]
    bob = _bob(network, blog)
    a.serve_actor("carol")
    carol = remote_actor_get(a.actor_uri("carol"))
    forged = b.actor_document("bob", name="Forged")
    response = inbox_post(a, a.activity("Update", forged, actor=alice.uri), key_id=a.key_id("alice"))
    assert response.status_code == 403  # bob is on another server
    # Carol is on alice's server: the inbox takes it, the processing does not.
    forged = a.actor_document("carol", name="Forged", publicKey={**a.actor_document("alice")["publicKey"]})
    update = a.activity("Update", forged, actor=alice.uri)
    assert inbox_post(a, update, key_id=a.key_id("alice")).status_code == 202
    assert inbox_item_process(InboxItem.objects.get().pk) == InboxItem.State.IGNORED
    assert activity_handle(update, alice).startswith("ignored")
    assert RemoteActor.objects.get(pk=carol.pk).name == "Carol"
    assert RemoteActor.objects.get(pk=bob.pk).name == "Bob"


def test_delete_of_another_actors_reply_and_account_changes_nothing(network, alice, post, blog):  # noqa: F811
    a = network["a"]
    a.serve_actor("carol")
    carol = remote_actor_get(a.actor_uri("carol"))
    _following(blog, carol)
    reply = _note(carol, post, a.url("/statuses/carol-1"))
    assert _process(carol.uri, a.activity("Create", reply, actor=carol.uri)) == "processed"
    assert Comment.objects.filter(remote_actor=carol).exists()
    assert TimelineItem.objects.filter(author=carol).exists()
    for target in (reply["id"], carol.uri):  # her reply, then her account: both on alice's server
        assert _process(alice.uri, a.activity("Delete", target, actor=alice.uri)) == "ignored"
    assert Comment.objects.filter(remote_actor=carol).exists()
    assert TimelineItem.objects.filter(author=carol).exists()
    assert not RemoteActor.objects.get(pk=carol.pk).deleted


def test_undo_of_another_actors_like_and_boost_changes_nothing(network, alice, post, blog, inbox_post):  # noqa: F811
    a, b = network["a"], network["b"]
    bob = _bob(network, blog)
    like = b.activity("Like", post.data["id"], actor=bob.uri)
    boost = b.activity("Announce", post.data["id"], actor=bob.uri)
    for activity in (like, boost):
        assert _process(bob.uri, activity) == "processed"
    assert Reaction.objects.filter(remote_actor=bob).count() == 2
    for undone in (like, boost):
        # Named with bob as its actor: refused at the door.
        response = inbox_post(a, a.activity("Undo", undone, actor=alice.uri), key_id=a.key_id("alice"))
        assert response.status_code == 403
        # Named by id only, or embedded without its actor: only alice's own could be undone.
        for named in (undone["id"], {key: value for key, value in undone.items() if key != "actor"}):
            assert _process(alice.uri, a.activity("Undo", named, actor=alice.uri)) == "ignored"
    assert Reaction.objects.filter(remote_actor=bob).count() == 2


# --- boosts of a post on a third server ---------------------------------------------------------------


def _boost(network, alice, blog, document: dict | None, embedded: dict) -> str:  # noqa: F811
    a, c = network["a"], network["c"]
    _following(blog, alice)
    c.serve_actor("carol")
    if document is not None:
        c.documents["/statuses/1"] = document
    return activity_handle(a.activity("Announce", embedded, actor=alice.uri), alice)


def test_boost_shows_the_post_as_its_own_server_serves_it_not_as_embedded(network, alice, blog):  # noqa: F811
    c = network["c"]
    real = {
        "id": c.url("/statuses/1"),
        "type": "Note",
        "attributedTo": c.actor_uri("carol"),
        "content": "real",
    }
    forged = real | {"content": "<p>forged</p>"}
    assert _boost(network, alice, blog, real, forged) == "timeline boost"
    item = TimelineItem.objects.get()
    assert "forged" not in item.content and "real" in item.content
    assert item.author.uri == c.actor_uri("carol") and item.boosted_by == alice


@pytest.mark.parametrize("served", ["author elsewhere", "another id", "absent"])
def test_boost_of_a_post_its_server_does_not_vouch_for_is_ignored(network, alice, blog, served):  # noqa: F811
    b, c = network["b"], network["c"]
    real = {"id": c.url("/statuses/1"), "type": "Note", "attributedTo": c.actor_uri("carol"), "content": "x"}
    document = {
        "author elsewhere": real | {"attributedTo": b.actor_uri("bob")},  # C says it is B's bob's
        "another id": real | {"id": c.url("/statuses/2")},  # same host, another path
        "absent": None,
    }[served]
    assert _boost(network, alice, blog, document, real).startswith("ignored")
    assert not TimelineItem.objects.exists()
    assert not RemoteActor.objects.filter(uri=b.actor_uri("bob")).exists()


# --- actor documents and keys -------------------------------------------------------------------------


def test_actor_document_under_another_path_of_its_host_is_not_that_actor(network, blog):  # noqa: F811
    a = network["a"]
    a.documents["/users/erin"] = a.actor_document("erin", id=a.actor_uri("erin2"))
    assert remote_actor_get(a.actor_uri("erin")) is None
    assert not RemoteActor.objects.exists()


def test_key_whose_owner_is_not_the_actor_naming_it_is_refused(network, blog, post, inbox_post):  # noqa: F811
    a = network["a"]
    dora = a.actor_uri("dora")
    a.serve_actor(
        "dora",
        publicKey={"id": a.key_id("dora"), "owner": a.actor_uri("carol"), "publicKeyPem": a.public_pem},
    )
    assert key_lookup(a.key_id("dora"), True) is None
    response = inbox_post(a, a.activity("Like", post.data["id"], actor=dora), key_id=a.key_id("dora"))
    assert response.status_code == 401
    assert not RemoteActor.objects.exists() and not InboxItem.objects.exists()


def test_note_attributed_to_its_actor_then_a_channel_of_its_server_is_taken(network, alice, post, inbox_post):  # noqa: F811
    """PeerTube's form: the account first, then its channel on the same server."""
    a = network["a"]
    note = _note(alice, post, a.url("/statuses/1")) | {"attributedTo": [alice.uri, a.url("/channels/c")]}
    response = inbox_post(a, a.activity("Create", note, actor=alice.uri), key_id=a.key_id("alice"))
    assert response.status_code == 202


def _finger(remote, user: str, host: str, subject: str, href: str) -> None:
    path = "/.well-known/webfinger?" + urlencode({"resource": f"acct:{user}@{host}"})
    link = {"rel": "self", "type": "application/activity+json", "href": href}
    remote.documents[path] = {"subject": subject, "links": [link]}


def test_handle_naming_another_servers_actor_needs_that_server_to_confirm(network, blog, settings):  # noqa: F811
    settings.HUB_WEBFINGER_ALLOW_HTTP = True
    a, b = network["a"], network["b"]
    a.serve_actor("alice")
    host_a, host_b = f"127.0.0.1:{a.port}", f"127.0.0.1:{b.port}"
    _finger(b, "alice", host_b, f"acct:alice@{host_b}", a.actor_uri("alice"))  # B hands out A's alice
    _finger(a, "alice", host_a, f"acct:alice@{host_a}", a.actor_uri("alice"))
    with pytest.raises(AccountNotFound):
        account_resolve(f"@alice@{host_b}")
    _finger(a, "alice", host_a, f"acct:alice@{host_b}", a.actor_uri("alice"))  # A says so: a split domain
    assert account_resolve(f"@alice@{host_b}").uri == a.actor_uri("alice")
