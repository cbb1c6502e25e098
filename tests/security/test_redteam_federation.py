"""Red team, federation: a reply id squatted before origins were checked goes back to its own origin."""

import pytest
from django.utils import timezone

from social.federation.inbox import inbox_item_process
from social.federation.models import Comment, InboxItem
from social.hub.inbound import activity_handle
from social.hub.models import TimelineItem
from tests.security.test_federation_identity import _bob, _following, _note, alice, blog, post  # noqa: F401

pytest_plugins = ["tests.security.hostile_remote"]  # network, offline_site, inbox_post
pytestmark = pytest.mark.django_db


def _process(actor, activity) -> str:
    item = InboxItem.objects.create(activity_type=activity["type"], actor_uri=actor.uri, data=activity)
    return inbox_item_process(item.pk)


def test_reply_squatted_before_the_origin_rule_yields_to_its_real_author(network, alice, post, blog):  # noqa: F811
    b = network["b"]
    bob = _bob(network, blog)
    real_id = b.url("/statuses/1")
    # What the inbox stored before it checked origins: alice's reply under an id on bob's server.
    Comment.objects.create(
        uri=real_id, remote_actor=alice, object=post, content="<p>squat</p>", status=Comment.Status.APPROVED
    )
    assert _process(bob, b.activity("Create", _note(bob, post, real_id), actor=bob.uri)) == "processed"
    assert Comment.objects.get(uri=real_id).remote_actor == bob

    Comment.objects.filter(uri=real_id).update(remote_actor=alice)  # squatted again, then deleted
    assert _process(bob, b.activity("Delete", real_id, actor=bob.uri)) == "processed"
    assert not Comment.objects.filter(uri=real_id).exists()


def test_hub_post_squatted_before_the_origin_rule_yields_to_its_real_author(network, alice, post, blog):  # noqa: F811
    b = network["b"]
    bob = _bob(network, blog)
    for follower in (alice, bob):
        _following(blog, follower)
    real_id = b.url("/statuses/1")
    fields = {"object_uri": real_id, "object_type": "Note", "content": "<p>squat</p>", "url": real_id}
    TimelineItem.objects.create(uri=real_id, author=alice, published=timezone.now(), **fields)
    assert not activity_handle(
        b.activity("Create", _note(bob, post, real_id), actor=bob.uri), bob
    ).startswith("ignored")
    assert TimelineItem.objects.get(uri=real_id).author == bob

    TimelineItem.objects.filter(uri=real_id).update(author=alice)
    activity_handle(b.activity("Delete", real_id, actor=bob.uri), bob)
    assert not TimelineItem.objects.filter(uri=real_id).exists()
