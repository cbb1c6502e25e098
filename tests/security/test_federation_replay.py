"""Replays: a signed request sent again (by whoever kept a copy) changes nothing; an old one is refused.

A signature holds for five minutes (signatures.MAX_SKEW), so within them the very same request verifies
again: the inbox must know the activity by its id. Else a Like replayed after its Undo, or a post's
Create replayed after its Delete, would bring back what its author took back.
"""

import json
from datetime import UTC, datetime, timedelta

import pytest

from social.federation.inbox import inbox_item_process
from social.federation.models import Comment, InboxItem, Reaction
from social.federation.signatures import sign_cavage
from social.hub.models import TimelineItem
from tests.security.test_federation_identity import _following, _note, alice, blog, post  # noqa: F401

pytest_plugins = ["tests.security.hostile_remote"]  # network, offline_site, inbox_post
pytestmark = pytest.mark.django_db
BLOG_INBOX = "/ap/users/blog/inbox"


@pytest.fixture
def send(client, offline_site):
    """Sign an activity as alice of `remote` once; the returned function POSTs that same request."""

    def sign(remote, activity: dict, *, now: datetime | None = None):
        body = json.dumps(activity).encode()
        headers = sign_cavage(
            method="POST",
            url=offline_site.SITE_URL + BLOG_INBOX,
            body=body,
            key_id=remote.key_id("alice"),
            private_key_pem=remote.private_pem,
            now=now,
        )
        return lambda: client.generic(
            "POST", BLOG_INBOX, body, content_type="application/activity+json", headers=headers
        )

    return sign


def _process() -> None:
    for pk in InboxItem.objects.filter(state=InboxItem.State.RECEIVED).values_list("pk", flat=True):
        inbox_item_process(pk)


def test_like_replayed_after_its_undo_does_not_come_back(network, alice, post, send):  # noqa: F811
    a = network["a"]
    like = a.activity("Like", post.data["id"], actor=alice.uri)
    replay = send(a, like)
    assert replay().status_code == 202
    _process()
    assert Reaction.objects.filter(remote_actor=alice).exists()
    assert send(a, a.activity("Undo", like, actor=alice.uri))().status_code == 202
    _process()
    assert not Reaction.objects.exists()

    assert replay().status_code == 202  # the same request again, within its five minutes
    assert send(a, like)().status_code == 202  # and signed afresh: still the same activity
    _process()
    assert not Reaction.objects.exists()
    first, *again = InboxItem.objects.filter(activity_uri=like["id"]).order_by("pk")
    assert first.state == InboxItem.State.PROCESSED
    ignored = (InboxItem.State.IGNORED, "received before")
    assert [(item.state, item.last_error) for item in again] == [ignored, ignored]


def test_create_replayed_after_its_delete_does_not_bring_the_post_back(network, alice, post, blog, send):  # noqa: F811
    a = network["a"]
    _following(blog, alice)  # the hub follows alice: her posts go on its timeline
    note = _note(alice, post, a.url("/statuses/1"))
    replay = send(a, a.activity("Create", note, actor=alice.uri))
    assert replay().status_code == 202
    _process()
    assert Comment.objects.filter(uri=note["id"]).exists()
    assert TimelineItem.objects.filter(uri=note["id"]).exists()
    assert send(a, a.activity("Delete", note["id"], actor=alice.uri))().status_code == 202
    _process()

    assert replay().status_code == 202
    _process()
    assert not Comment.objects.exists() and not TimelineItem.objects.exists()


def test_request_signed_with_an_old_date_is_refused(network, alice, post, send):  # noqa: F811
    a = network["a"]
    old = datetime.now(UTC) - timedelta(minutes=6)
    response = send(a, a.activity("Like", post.data["id"], actor=alice.uri), now=old)()
    assert response.status_code == 401
    assert not InboxItem.objects.exists()


def test_timeline_post_replayed_after_its_delete_stays_deleted(network, alice, post, blog, send):  # noqa: F811
    """A post that is no reply to us: federation leaves it to the hub (ignored here), and the replay
    must not hand it to the hub again."""
    a = network["a"]
    _following(blog, alice)
    note = {**_note(alice, post, a.url("/statuses/2")), "inReplyTo": None}
    replay = send(a, a.activity("Create", note, actor=alice.uri))
    assert replay().status_code == 202
    _process()
    assert TimelineItem.objects.filter(uri=note["id"]).exists()
    assert send(a, a.activity("Delete", note["id"], actor=alice.uri))().status_code == 202
    _process()
    assert not TimelineItem.objects.exists()

    assert replay().status_code == 202
    _process()
    assert not TimelineItem.objects.exists()
