"""Identity across hosts: a server speaks only for its own origin (keys, actor documents, activities)."""

import pytest

from social.federation.actors import key_lookup, remote_actor_get
from social.federation.fetch import FetchError
from social.federation.inbox import inbox_item_process
from social.federation.models import Comment, FederatedObject, Follow, InboxItem, Reaction, RemoteActor
from social.hub.inbound import activity_handle
from social.hub.models import Following, TimelineItem

pytest_plugins = ["tests.security.hostile_remote"]  # network, offline_site, inbox_post
pytestmark = pytest.mark.django_db
ACTOR_FIELDS = ("inbox", "shared_inbox", "public_key_id", "public_key_pem", "name", "deleted")


def _stored(uri: str) -> dict:
    return RemoteActor.objects.filter(uri=uri).values(*ACTOR_FIELDS).first()


@pytest.fixture
def blog(offline_site):
    from social.federation.actors import local_actor_get

    return local_actor_get("blog")


@pytest.fixture
def post(blog, offline_site):
    site = offline_site.SITE_URL
    data = {"id": f"{site}/ap/objects/page-7", "type": "Article", "to": []}
    return FederatedObject.objects.create(
        object_key="page:7", actor=blog, url=f"{site}/blog/hello/", data=data
    )


@pytest.fixture
def alice(network, blog):
    """A's honest alice, known to us and following the blog."""
    a = network["a"]
    a.serve_actor("alice")
    actor = remote_actor_get(a.actor_uri("alice"))
    Follow.objects.create(
        local_actor=blog, remote_actor=actor, state=Follow.State.ACCEPTED, follow_id=a.url("/follows/1")
    )
    return actor


def _impostor(network, alice) -> str:
    """B serves a document claiming to be A's alice, with B's own key; returns that key's id."""
    b = network["b"]
    key_id = b.key_id("mallory")
    b.serve_actor(
        "mallory",
        id=alice.uri,
        publicKey={"id": key_id, "owner": alice.uri, "publicKeyPem": b.public_pem},
    )
    return key_id


# --- impersonation across hosts -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["Delete", "Undo", "Like"])
def test_inbox_cross_host_impersonation_refused_and_actor_unchanged(network, alice, post, inbox_post, kind):
    before = _stored(alice.uri)
    key_id = _impostor(network, alice)
    b = network["b"]
    obj = {
        "Delete": alice.uri,
        "Undo": {"id": network["a"].url("/follows/1"), "type": "Follow", "actor": alice.uri},
        "Like": post.data["id"],
    }[kind]
    # B even gives the activity an id on A, as the real alice would.
    activity = b.activity(kind, obj, actor=alice.uri, id=network["a"].url("/activities/forged"))
    response = inbox_post(b, activity, key_id=key_id)
    assert response.status_code in (401, 403)
    assert _stored(alice.uri) == before  # inbox, key and name untouched; not deleted
    assert not InboxItem.objects.exists()
    assert Follow.objects.filter(remote_actor=alice).exists() and not Reaction.objects.exists()


def test_document_claiming_foreign_id_is_refetched_by_that_id(network, alice):
    from social.federation.origins import remote_document_fetch

    a, b = network["a"], network["b"]
    _impostor(network, alice)
    document = remote_document_fetch(b.url("/users/mallory"))
    assert document["publicKey"]["publicKeyPem"] == a.public_pem  # A's own answer, not B's claim
    assert a.fetches_of("/users/alice") >= 2  # once to store alice, once refetched by the claimed id
    assert remote_actor_get(b.url("/users/mallory")) is None
    assert not RemoteActor.objects.filter(inbox__startswith=b.base).exists()


def test_key_of_a_document_claiming_foreign_id_is_not_found(network, alice):
    key_id = _impostor(network, alice)
    assert key_lookup(key_id, False) is None and key_lookup(key_id, True) is None
    assert _stored(alice.uri)["public_key_id"] == network["a"].key_id("alice")


def test_redirect_to_another_origin_does_not_speak_for_the_first(network, blog):
    from social.federation.origins import remote_document_fetch

    a, b = network["a"], network["b"]
    victim = a.actor_uri("carol")
    a.redirects["/users/carol"] = b.url("/fake/carol")  # an open redirect on A
    b.documents["/fake/carol"] = b.actor_document("carol", id=victim)
    assert remote_actor_get(victim) is None
    assert not RemoteActor.objects.filter(uri=victim).exists()
    with pytest.raises(FetchError):
        remote_document_fetch(victim)


def test_redirect_within_one_origin_is_followed(network, blog):
    from social.federation.origins import remote_document_fetch

    a = network["a"]
    a.serve_actor("dora")
    a.redirects["/@dora"] = a.actor_uri("dora")
    assert remote_document_fetch(a.url("/@dora"))["id"] == a.actor_uri("dora")


def test_key_on_another_origin_than_its_actor_is_refused(network, blog, post, inbox_post):
    a, b = network["a"], network["b"]
    key_id = b.url("/keys/dave")
    dave = a.actor_uri("dave")
    # A's document even names B's key: a key still speaks only for actors on its own origin.
    a.serve_actor("dave", publicKey={"id": key_id, "owner": dave, "publicKeyPem": b.public_pem})
    b.documents["/keys/dave"] = {"id": key_id, "owner": dave, "publicKeyPem": b.public_pem}
    response = inbox_post(b, b.activity("Like", post.data["id"], actor=dave), key_id=key_id)
    assert response.status_code == 401
    assert not InboxItem.objects.exists() and not RemoteActor.objects.filter(uri=dave).exists()


def test_key_document_naming_an_actor_that_does_not_name_it_is_refused(network, alice):
    b = network["b"]
    key_id = b.url("/keys/alice")
    b.documents["/keys/alice"] = {"id": key_id, "owner": alice.uri, "publicKeyPem": b.public_pem}
    assert key_lookup(key_id, True) is None


def test_unverified_request_writes_nothing(network, blog, post, inbox_post):
    a, b = network["a"], network["b"]
    b.serve_actor("mallory")
    activity = b.activity("Like", post.data["id"], actor=b.actor_uri("mallory"))
    # Signed with A's private key under B's key id: the signature cannot verify.
    response = inbox_post(b, activity, key_id=b.key_id("mallory"), private_pem=a.private_pem)
    assert response.status_code == 401
    assert not RemoteActor.objects.exists() and not InboxItem.objects.exists()


def test_unverified_request_claiming_a_known_actor_leaves_it_unchanged(network, alice, post, inbox_post):
    before = _stored(alice.uri)
    key_id = _impostor(network, alice)
    b = network["b"]
    activity = b.activity("Like", post.data["id"], actor=alice.uri)
    inbox_post(b, activity, key_id=key_id, private_pem=network["a"].private_pem)
    assert _stored(alice.uri) == before


def test_verified_request_from_an_unknown_actor_stores_it(network, blog, post, inbox_post):
    b = network["b"]
    b.serve_actor("mallory")
    activity = b.activity("Like", post.data["id"], actor=b.actor_uri("mallory"))
    assert inbox_post(b, activity, key_id=b.key_id("mallory")).status_code == 202
    assert RemoteActor.objects.get().public_key_id == b.key_id("mallory")


# --- activities about objects on another origin -----------------------------------------------------


def _note(alice, post, note_id: str) -> dict:
    return {
        "id": note_id,
        "type": "Note",
        "attributedTo": alice.uri,
        "inReplyTo": post.data["id"],
        "content": "<p>mine</p>",
    }


@pytest.mark.parametrize("kind", ["Create", "Update", "Delete"])
def test_activity_on_object_of_another_origin_is_refused(network, alice, post, inbox_post, kind):
    a, b = network["a"], network["b"]
    foreign = b.url("/statuses/1")
    obj = foreign if kind == "Delete" else _note(alice, post, foreign)
    response = inbox_post(a, a.activity(kind, obj, actor=alice.uri), key_id=a.key_id("alice"))
    assert response.status_code == 403
    assert not InboxItem.objects.exists()


def test_activity_on_object_of_own_origin_is_accepted(network, alice, post, inbox_post):
    a = network["a"]
    activity = a.activity("Create", _note(alice, post, a.url("/statuses/1")), actor=alice.uri)
    assert inbox_post(a, activity, key_id=a.key_id("alice")).status_code == 202


def test_activity_id_on_another_origin_is_refused(network, alice, post, inbox_post):
    a, b = network["a"], network["b"]
    activity = a.activity("Like", post.data["id"], actor=alice.uri, id=b.url("/activities/1"))
    assert inbox_post(a, activity, key_id=a.key_id("alice")).status_code == 403


def test_undo_of_another_actors_activity_is_refused(network, alice, inbox_post):
    a, b = network["a"], network["b"]
    undone = {"id": b.url("/follows/9"), "type": "Follow", "actor": b.actor_uri("bob")}
    response = inbox_post(a, a.activity("Undo", undone, actor=alice.uri), key_id=a.key_id("alice"))
    assert response.status_code == 403


def _following(blog, remote: RemoteActor) -> Following:
    return Following.objects.create(
        local_actor=blog,
        remote_actor=remote,
        state=Following.State.ACCEPTED,
        follow_activity_uri=f"http://127.0.0.1:9/ap/follows/{remote.pk}",
    )


def _bob(network, blog) -> RemoteActor:
    b = network["b"]
    b.serve_actor("bob")
    return remote_actor_get(b.actor_uri("bob"))


def test_reply_squatting_an_id_on_another_host_refused_in_federation_inbox(network, alice, post, blog):
    """Stored activities (the inbox refuses these now) are refused again when processed."""
    b = network["b"]
    bob = _bob(network, blog)
    real_id = b.url("/statuses/1")
    squat = network["a"].activity("Create", _note(alice, post, real_id), actor=alice.uri)
    squat["id"] = alice.uri + "/activities/1"
    item = InboxItem.objects.create(activity_type="Create", actor_uri=alice.uri, data=squat)
    assert inbox_item_process(item.pk) == InboxItem.State.IGNORED
    assert not Comment.objects.exists()
    real = b.activity("Create", _note(bob, post, real_id), actor=bob.uri)
    item = InboxItem.objects.create(activity_type="Create", actor_uri=bob.uri, data=real)
    assert inbox_item_process(item.pk) == InboxItem.State.PROCESSED
    assert Comment.objects.get(uri=real_id).remote_actor == bob


def test_reply_squatting_an_id_on_another_host_refused_in_hub(network, alice, post, blog):
    b = network["b"]
    bob = _bob(network, blog)
    for follower in (alice, bob):
        _following(blog, follower)
    real_id = b.url("/statuses/1")
    squat = network["a"].activity("Create", _note(alice, post, real_id), actor=alice.uri)
    squat["id"] = alice.uri + "/activities/1"
    assert activity_handle(squat, alice).startswith("ignored")
    assert not TimelineItem.objects.exists()
    assert not activity_handle(
        b.activity("Create", _note(bob, post, real_id), actor=bob.uri), bob
    ).startswith("ignored")
    assert TimelineItem.objects.get(uri=real_id).author == bob


def test_hub_update_of_a_post_on_another_host_is_ignored(network, alice, post, blog):
    b = network["b"]
    bob = _bob(network, blog)
    _following(blog, bob)
    real_id = b.url("/statuses/2")
    activity_handle(b.activity("Create", _note(bob, post, real_id), actor=bob.uri), bob)
    edit = network["a"].activity(
        "Update", _note(alice, post, real_id) | {"content": "<p>forged</p>"}, actor=alice.uri
    )
    assert activity_handle(edit, alice).startswith("ignored")
    assert "forged" not in TimelineItem.objects.get(uri=real_id).content


def test_hub_boost_of_a_post_served_by_another_origin_is_ignored(network, alice, blog):
    a, b = network["a"], network["b"]
    _following(blog, alice)
    victim = a.url("/statuses/5")
    a.redirects["/statuses/5"] = b.url("/statuses/5")  # A redirects; B answers with a post "of A"
    b.documents["/statuses/5"] = {"id": victim, "type": "Note", "attributedTo": alice.uri, "content": "x"}
    boost = a.activity("Announce", victim, actor=alice.uri)
    assert activity_handle(boost, alice).startswith("ignored")
    assert not TimelineItem.objects.exists()


def test_actor_update_carrying_a_key_of_another_origin_does_not_keep_it(network, alice, post):
    b = network["b"]
    update = network["a"].activity(
        "Update",
        network["a"].actor_document(
            "alice", publicKey={"id": b.key_id("x"), "owner": alice.uri, "publicKeyPem": b.public_pem}
        ),
        actor=alice.uri,
    )
    item = InboxItem.objects.create(activity_type="Update", actor_uri=alice.uri, data=update)
    inbox_item_process(item.pk)
    assert _stored(alice.uri)["public_key_id"] != b.key_id("x")
    assert key_lookup(b.key_id("x"), False) is None


# --- refreshing a known actor -----------------------------------------------------------------------


def test_actor_refetched_for_a_failing_signature_is_not_stored(network, alice, post, inbox_post):
    a = network["a"]
    a.serve_actor("alice", name="Changed By Anyone")  # what a refetch would now read
    activity = a.activity("Like", post.data["id"], actor=alice.uri)
    response = inbox_post(a, activity, key_id=a.key_id("alice"), private_pem=network["b"].private_pem)
    assert response.status_code == 401
    assert a.fetches_of("/users/alice") >= 2  # it was refetched (the key may have rotated) …
    assert RemoteActor.objects.get(uri=alice.uri).name == "Alice"  # … and nothing of it kept


def test_rotated_key_is_stored_once_a_signature_verifies_with_it(network, alice, post, inbox_post):
    from tests.security.hostile_remote import key_pair

    a = network["a"]
    private_pem, public_pem = key_pair("a-rotated")
    a.serve_actor(
        "alice", publicKey={"id": a.key_id("alice"), "owner": alice.uri, "publicKeyPem": public_pem}
    )
    activity = a.activity("Like", post.data["id"], actor=alice.uri)
    response = inbox_post(a, activity, key_id=a.key_id("alice"), private_pem=private_pem)
    assert response.status_code == 202
    assert RemoteActor.objects.get(uri=alice.uri).public_key_pem == public_pem


# --- inboxes on another origin -----------------------------------------------------------------------


def test_actor_update_moving_its_inbox_to_another_origin_is_ignored(network, alice, post):
    """A server cannot point our deliveries at a host that never asked for them."""
    before = _stored(alice.uri)
    victim = network["b"].url("/inbox")
    document = network["a"].actor_document("alice", inbox=victim, endpoints={"sharedInbox": victim})
    update = network["a"].activity("Update", document, actor=alice.uri)
    item = InboxItem.objects.create(activity_type="Update", actor_uri=alice.uri, data=update)
    inbox_item_process(item.pk)
    assert _stored(alice.uri) == before


def test_actor_whose_inbox_is_on_another_origin_is_not_stored(network, blog):
    a, b = network["a"], network["b"]
    a.serve_actor("carol", inbox=b.url("/inbox"))
    assert remote_actor_get(a.actor_uri("carol")) is None
    assert key_lookup(a.key_id("carol"), False) is None
    assert not RemoteActor.objects.filter(uri=a.actor_uri("carol")).exists()


def test_shared_inbox_on_another_origin_is_dropped_and_own_inbox_kept(network, blog):
    a, b = network["a"], network["b"]
    a.serve_actor("dave", endpoints={"sharedInbox": b.url("/inbox")})
    assert remote_actor_get(a.actor_uri("dave")) is not None
    stored = _stored(a.actor_uri("dave"))
    assert stored["inbox"].startswith(a.url("/")) and stored["shared_inbox"] == ""
