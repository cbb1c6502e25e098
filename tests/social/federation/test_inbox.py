"""The inbox over the test client: each rejection reason, and what each activity type does."""

import json

import pytest
import redis
from django.utils import timezone

from durable import runner
from social.federation.actors import local_actor_get
from social.federation.models import (
    Activity,
    ActorBlock,
    Comment,
    Delivery,
    DomainBlock,
    FederatedObject,
    Follow,
    Host,
    InboxItem,
    Reaction,
    RemoteActor,
)
from tests.workers import celery_on_broker, own_redis_url

pytestmark = pytest.mark.django_db
BLOG_INBOX = "/ap/users/blog/inbox"


@pytest.fixture(autouse=True)
def offline_site(settings):
    # Nothing listens here: the fake remote cannot fetch our key, so our replies stay queued as rows.
    settings.SITE_URL, settings.SITE_HOST = "http://127.0.0.1:9", "127.0.0.1:9"


@pytest.fixture
def blog():
    return local_actor_get("blog")


@pytest.fixture
def post(blog, settings):
    data = {"id": f"{settings.SITE_URL}/ap/objects/page-7", "type": "Article", "to": []}
    return FederatedObject.objects.create(
        object_key="page:7", actor=blog, url=f"{settings.SITE_URL}/blog/hello/", data=data
    )


@pytest.fixture
def deliver(django_capture_on_commit_callbacks, signed_post):
    """Post a signed activity and run what it enqueues (eager Celery), returning the response."""

    def run(remote, activity, path=BLOG_INBOX, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            response = signed_post(remote, path, activity, **kwargs)
        return response

    return run


def follow(remote, blog_uri, name="alice"):
    return remote.activity("Follow", blog_uri, name=name)


# --- rejections -----------------------------------------------------------------------------------


def test_inbox_unsigned_post_is_401(client, remote, blog):
    activity = remote.activity("Like", "x")
    response = client.post(BLOG_INBOX, json.dumps(activity), content_type="application/activity+json")
    assert response.status_code == 401
    assert "not signed" in response.json()["error"]
    assert not InboxItem.objects.exists()


def test_inbox_bad_signature_is_401(signed_post, remote, blog):
    activity = remote.activity("Like", "x")
    body = json.dumps(activity).encode()
    headers = remote.signed_headers("http://127.0.0.1:9" + BLOG_INBOX, body)
    headers["Signature"] = headers["Signature"].replace('signature="', 'signature="AAAA')
    from django.test import Client

    response = Client().generic(
        "POST", BLOG_INBOX, body, content_type=headers.pop("Content-Type"), headers=headers
    )
    assert response.status_code == 401


def test_inbox_digest_mismatch_is_401(client, remote, blog):
    activity = remote.activity("Like", "x")
    body = json.dumps(activity).encode()
    headers = remote.signed_headers("http://127.0.0.1:9" + BLOG_INBOX, body)
    response = client.generic(
        "POST", BLOG_INBOX, body + b" ", content_type=headers.pop("Content-Type"), headers=headers
    )
    assert response.status_code == 401
    assert "Digest" in response.json()["error"]


def test_inbox_stale_date_is_401(client, remote, blog):
    from datetime import UTC, datetime, timedelta

    from social.federation.signatures import sign_cavage

    activity = remote.activity("Like", "x")
    body = json.dumps(activity).encode()
    headers = sign_cavage(
        method="POST",
        url="http://127.0.0.1:9" + BLOG_INBOX,
        body=body,
        key_id=f"{remote.actor_uri()}#main-key",
        private_key_pem=remote.private_pem,
        now=datetime.now(UTC) - timedelta(minutes=10),
    )
    response = client.generic(
        "POST", BLOG_INBOX, body, content_type="application/activity+json", headers=headers
    )
    assert response.status_code == 401
    assert "5 minutes" in response.json()["error"]


def test_inbox_key_owner_not_actor_is_401(signed_post, remote, blog):
    activity = remote.activity("Like", "x", name="bob")  # claims bob, signed with alice's key
    response = signed_post(remote, BLOG_INBOX, activity, name="alice")
    assert response.status_code == 401
    assert "does not belong" in response.json()["error"]


@pytest.mark.parametrize("scheme", ["cavage", "rfc9421"])
def test_inbox_rfc9421_and_cavage_are_both_accepted(signed_post, remote, blog, scheme):
    response = signed_post(remote, "/ap/inbox", remote.activity("Like", "x"), scheme=scheme)
    assert response.status_code == 202


def test_inbox_oversized_body_is_413(client, remote, blog):
    body = b'{"type":"Note","content":"' + b"x" * 1_000_001 + b'"}'
    response = client.generic("POST", BLOG_INBOX, body, content_type="application/activity+json")
    assert response.status_code == 413


def test_inbox_bad_json_is_400(signed_post, remote, blog):
    response = signed_post(remote, BLOG_INBOX, None, body=b"{not json")
    assert response.status_code == 400


def test_inbox_blocked_domain_is_403(signed_post, remote, blog):
    DomainBlock.objects.create(domain=f"127.0.0.1:{remote.port}")
    response = signed_post(remote, BLOG_INBOX, remote.activity("Like", "x"))
    assert response.status_code == 403


def test_inbox_blocked_actor_is_403(signed_post, remote, blog):
    ActorBlock.objects.create(uri=remote.actor_uri())
    response = signed_post(remote, BLOG_INBOX, remote.activity("Like", "x"))
    assert response.status_code == 403


def test_inbox_unknown_actor_inbox_is_404(signed_post, remote):
    assert signed_post(remote, "/ap/users/nobody/inbox", remote.activity("Like", "x")).status_code == 404


def test_inbox_contact_revives_dead_host(deliver, remote, blog):
    Host.objects.create(domain=f"127.0.0.1:{remote.port}", dead=True)
    deliver(remote, remote.activity("Like", "x"))
    assert Host.objects.get(domain=f"127.0.0.1:{remote.port}").dead is False


# --- processing -----------------------------------------------------------------------------------


def test_follow_auto_accepts_and_queues_signed_accept(deliver, remote, blog, settings):
    activity = follow(remote, f"{settings.SITE_URL}/ap/users/blog")
    assert deliver(remote, activity).status_code == 202
    row = Follow.objects.get()
    assert (row.local_actor, row.remote_actor.uri, row.state) == (blog, remote.actor_uri(), "accepted")
    accept = Activity.objects.get(activity_type="Accept")
    assert accept.data["object"]["id"] == activity["id"]
    delivery = Delivery.objects.get(activity=accept)
    assert delivery.inbox == f"{remote.actor_uri()}/inbox"  # the follower's own inbox, not the shared one
    assert delivery.state_attempts == 1  # attempted eagerly; the remote could not reach our key so it retries
    assert delivery.attempt_log.count() == 2  # RFC 9421 got 401, the double knock tried cavage


def test_follow_processed_twice_sends_one_accept(deliver, remote, blog, settings):
    activity = follow(remote, f"{settings.SITE_URL}/ap/users/blog")
    deliver(remote, activity)
    deliver(remote, activity)
    assert Activity.objects.filter(activity_type="Accept").count() == 1
    assert Follow.objects.count() == 1


def test_follow_manual_approval_waits_in_queue(deliver, remote, blog, settings):
    settings.FEDERATION_MANUAL_APPROVAL = True
    deliver(remote, follow(remote, f"{settings.SITE_URL}/ap/users/blog"))
    assert Follow.objects.get().state == "pending"
    assert not Activity.objects.filter(activity_type="Accept").exists()


def test_undo_follow_removes_follower(deliver, remote, blog, settings):
    activity = follow(remote, f"{settings.SITE_URL}/ap/users/blog")
    deliver(remote, activity)
    deliver(remote, remote.activity("Undo", activity))
    assert not Follow.objects.exists()


def test_like_announce_and_undo_change_counts(deliver, remote, post):
    like = remote.activity("Like", post.data["id"])
    deliver(remote, like)
    deliver(remote, remote.activity("Announce", post.url))  # by url works too
    assert sorted(Reaction.objects.values_list("kind", flat=True)) == ["announce", "like"]
    deliver(remote, remote.activity("Undo", like["id"]))
    assert list(Reaction.objects.values_list("kind", flat=True)) == ["announce"]


def test_likes_share_one_kick_and_the_sweep_works_them_if_it_is_lost(deliver, remote, post):
    """With a real broker (no eager tasks): the inbox publishes one delayed kick for many activities,
    not a task each; with that message lost, the sweep still processes each activity once."""
    with celery_on_broker(own_redis_url(15)):
        for _ in range(3):
            assert deliver(remote, remote.activity("Like", post.data["id"])).status_code == 202
        client = redis.Redis.from_url(own_redis_url(15))
        tasks = [json.loads(raw)["headers"]["task"] for raw in client.lrange("celery", 0, -1)]
        assert tasks == ["durable.kick"]
        client.delete("celery")
    assert set(InboxItem.objects.values_list("state", flat=True)) == {"received"}
    assert runner.run_due(InboxItem) == {"processed": 3}
    assert runner.run_due(InboxItem) == {}
    assert Reaction.objects.filter(object=post).count() == 1  # one actor likes once


def test_like_of_unknown_object_is_ignored(deliver, remote, blog):
    deliver(remote, remote.activity("Like", "https://elsewhere.example/x"))
    assert InboxItem.objects.get().state == "ignored"


def test_reply_is_held_for_moderation_and_sanitised(deliver, remote, post):
    note = {
        "id": f"{remote.base}/notes/1",
        "type": "Note",
        "attributedTo": remote.actor_uri(),
        "inReplyTo": post.data["id"],
        "content": '<p>Lovely!<script>alert(1)</script> <a href="https://x.example" onclick="x()">x</a></p>',
    }
    deliver(remote, remote.activity("Create", note))
    comment = Comment.objects.get()
    assert comment.status == "pending"
    assert "<script>" not in comment.content and "onclick" not in comment.content
    assert "Lovely!" in comment.content


def test_reply_with_impossible_published_stored_at_arrival(deliver, remote, post):
    note = {
        "id": f"{remote.base}/notes/1",
        "type": "Note",
        "attributedTo": remote.actor_uri(),
        "inReplyTo": post.data["id"],
        "content": "<p>Lovely!</p>",
        "published": "2024-02-30T10:00:00Z",  # well-formed, but no such day
    }
    before = timezone.now()
    deliver(remote, remote.activity("Create", note))
    assert before <= Comment.objects.get().published <= timezone.now()


def test_update_note_and_delete_note(deliver, remote, post):
    note = {
        "id": f"{remote.base}/notes/1",
        "type": "Note",
        "attributedTo": remote.actor_uri(),
        "inReplyTo": post.data["id"],
        "content": "<p>First</p>",
    }
    deliver(remote, remote.activity("Create", note))
    Comment.objects.update(status="approved")
    deliver(remote, remote.activity("Update", {**note, "content": "<p>Edited</p>"}))
    comment = Comment.objects.get()
    assert comment.content == "<p>Edited</p>"
    assert comment.status == "pending"  # an edit is moderated again
    deliver(remote, remote.activity("Delete", note["id"]))
    assert not Comment.objects.exists()


def test_update_actor_refreshes_profile(deliver, remote, blog):
    deliver(remote, remote.activity("Like", "x"))
    document = remote.actor_document("alice") | {"name": "Alice Renamed"}
    deliver(remote, remote.activity("Update", document))
    assert RemoteActor.objects.get(uri=remote.actor_uri()).name == "Alice Renamed"


def test_delete_actor_drops_follows_comments_reactions(deliver, remote, post, settings):
    deliver(remote, follow(remote, f"{settings.SITE_URL}/ap/users/blog"))
    deliver(remote, remote.activity("Like", post.data["id"]))
    assert Follow.objects.exists() and Reaction.objects.exists()
    deliver(remote, remote.activity("Delete", remote.actor_uri()))
    assert not Follow.objects.exists()
    assert not Reaction.objects.exists()
    assert RemoteActor.objects.get(uri=remote.actor_uri()).deleted


def test_move_transfers_follow_to_new_account(deliver, remote, blog, settings):
    deliver(remote, follow(remote, f"{settings.SITE_URL}/ap/users/blog"))
    remote.actor_overrides["alice2"] = {"alsoKnownAs": [remote.actor_uri()]}
    deliver(remote, remote.activity("Move", remote.actor_uri(), target=remote.actor_uri("alice2")))
    assert list(Follow.objects.values_list("remote_actor__uri", flat=True)) == [remote.actor_uri("alice2")]


def test_move_to_account_not_claiming_old_is_ignored(deliver, remote, blog, settings):
    deliver(remote, follow(remote, f"{settings.SITE_URL}/ap/users/blog"))
    deliver(remote, remote.activity("Move", remote.actor_uri(), target=remote.actor_uri("mallory")))
    assert list(Follow.objects.values_list("remote_actor__uri", flat=True)) == [remote.actor_uri()]


def test_block_removes_their_follow(deliver, remote, blog, settings):
    deliver(remote, follow(remote, f"{settings.SITE_URL}/ap/users/blog"))
    deliver(remote, remote.activity("Block", f"{settings.SITE_URL}/ap/users/blog"))
    assert not Follow.objects.exists()
