"""What the hub makes of verified inbox activities (federation's processing is tested in its own suite)."""

import pytest
from django.conf import settings
from django.utils import timezone

from social.hub.inbound import activity_handle
from social.hub.models import Following, Notification, TimelineItem
from tests.factories import hub as f

pytestmark = pytest.mark.django_db


def _blog_uri() -> str:
    return f"{settings.SITE_URL}/ap/users/blog"


def test_activity_handle_post_from_followed_account_on_timeline():
    follow = f.following()
    activity = f.note_activity(follow.remote_actor, '<p>Hi <img src=x onerror="x()"></p>', summary="cw")
    assert activity_handle(activity, follow.remote_actor) == "timeline"
    item = TimelineItem.objects.get()
    assert item.on_timeline and item.summary == "cw" and item.sensitive
    assert "onerror" not in item.content and "<img" not in item.content


def test_activity_handle_post_from_stranger_ignored_and_not_stored():
    stranger = f.remote_actor()
    assert activity_handle(f.note_activity(stranger), stranger).startswith("ignored")
    assert not TimelineItem.objects.exists()


def test_activity_handle_pending_follow_not_yet_on_timeline():
    follow = f.following(state=Following.State.PENDING)
    assert activity_handle(f.note_activity(follow.remote_actor), follow.remote_actor).startswith("ignored")


def test_activity_handle_post_attributed_to_someone_else_ignored():
    follow = f.following()
    activity = f.note_activity(follow.remote_actor)
    activity["object"]["attributedTo"] = "https://elsewhere.example/users/eve"
    assert activity_handle(activity, follow.remote_actor) == "ignored: attributed to someone else"


def test_activity_handle_mention_from_stranger_notifies_off_timeline():
    f.local_actor("blog")
    stranger = f.remote_actor()
    activity = f.note_activity(stranger, tag=[{"type": "Mention", "href": _blog_uri()}])
    assert activity_handle(activity, stranger) == "stored + mention"
    notification = Notification.objects.get()
    assert notification.kind == "mention" and notification.local_actor.username == "blog"
    assert not notification.item.on_timeline


def test_activity_handle_redelivered_mention_notifies_once():
    f.local_actor("blog")
    stranger = f.remote_actor()
    activity = f.note_activity(stranger, tag=[{"type": "Mention", "href": _blog_uri()}])
    activity_handle(activity, stranger)
    activity_handle(activity, stranger)
    assert Notification.objects.count() == 1


def test_activity_handle_reply_to_our_note_notifies_reply():
    from social.hub import notes

    note = notes.note_publish(local_actor=f.local_actor(), text="Hello #world")
    stranger = f.remote_actor()
    activity = f.note_activity(stranger, inReplyTo=note.uri)
    assert activity_handle(activity, stranger) == "stored + reply"
    assert Notification.objects.get().kind == "reply"


def test_activity_handle_like_and_boost_of_our_note_notify_and_undo_removes():
    from social.hub import notes

    note = notes.note_publish(local_actor=f.local_actor(), text="Hello")
    fan = f.remote_actor()
    like = {"id": f"{fan.uri}/likes/1", "type": "Like", "actor": fan.uri, "object": note.uri}
    boost = {"id": f"{fan.uri}/boosts/1", "type": "Announce", "actor": fan.uri, "object": note.uri}
    assert activity_handle(like, fan) == "like notified"
    assert activity_handle(boost, fan) == "boost notified"
    assert sorted(Notification.objects.values_list("kind", flat=True)) == ["boost", "like"]
    activity_handle({"id": f"{fan.uri}/undo/1", "type": "Undo", "actor": fan.uri, "object": like}, fan)
    assert list(Notification.objects.values_list("kind", flat=True)) == ["boost"]


def test_activity_handle_like_of_something_not_ours_ignored():
    fan = f.remote_actor()
    like = {"id": f"{fan.uri}/likes/2", "type": "Like", "actor": fan.uri, "object": "https://x.example/n/1"}
    assert activity_handle(like, fan) == "ignored: not ours"


def test_activity_handle_follow_of_our_actor_notifies():
    f.local_actor("blog")
    fan = f.remote_actor()
    follow = {"id": f"{fan.uri}/follows/1", "type": "Follow", "actor": fan.uri, "object": _blog_uri()}
    assert activity_handle(follow, fan) == "follow notified"


def test_activity_handle_accept_and_reject_answer_our_follow():
    pending = f.following(state=Following.State.PENDING)
    remote = pending.remote_actor
    accept = {"type": "Accept", "actor": remote.uri, "object": pending.follow_activity_uri}
    assert activity_handle(accept, remote) == "follow accepted"
    other = f.following(state=Following.State.PENDING)
    reject = {"type": "Reject", "actor": other.remote_actor.uri, "object": {"id": other.follow_activity_uri}}
    assert activity_handle(reject, other.remote_actor) == "follow rejected"
    states = dict(Following.objects.values_list("pk", "state"))
    assert states == {pending.pk: "accepted", other.pk: "rejected"}


def test_activity_handle_accept_from_another_account_ignored():
    pending = f.following(state=Following.State.PENDING)
    impostor = f.remote_actor()
    accept = {"type": "Accept", "actor": impostor.uri, "object": pending.follow_activity_uri}
    assert activity_handle(accept, impostor) == "ignored: no such follow"


def test_activity_handle_update_and_delete_change_timeline_item():
    follow = f.following()
    activity = f.note_activity(follow.remote_actor, "<p>first</p>")
    activity_handle(activity, follow.remote_actor)
    update = {**activity, "type": "Update", "object": {**activity["object"], "content": "<p>edited</p>"}}
    activity_handle(update, follow.remote_actor)
    assert TimelineItem.objects.get().content == "<p>edited</p>"
    delete = {"type": "Delete", "actor": follow.remote_actor.uri, "object": activity["object"]["id"]}
    activity_handle(delete, follow.remote_actor)
    assert not TimelineItem.objects.exists()


def test_activity_handle_blocked_domain_account_ignored():
    from social.federation.models import DomainBlock

    follow = f.following()
    DomainBlock.objects.create(domain=follow.remote_actor.domain)
    assert activity_handle(f.note_activity(follow.remote_actor), follow.remote_actor) == "ignored: blocked"


@pytest.mark.parametrize("published", ["2024-02-30T10:00:00Z", "9999-12-31T23:59:59-01:00", "2999-01-01"])
def test_activity_handle_post_with_hostile_published_stored_at_arrival(published):
    follow = f.following()
    before = timezone.now()
    activity = f.note_activity(follow.remote_actor, published=published)
    assert activity_handle(activity, follow.remote_actor) == "timeline"
    assert before <= TimelineItem.objects.get().published <= timezone.now()
