"""The hub's demo seeder: editors get the hub, a demo account has posted; running it twice changes nothing."""

import pytest
from django.contrib.auth.models import Group

from social.hub import demo
from social.hub.models import Following, Notification, TimelineItem

pytestmark = pytest.mark.django_db


def test_seed_twice_idempotent_and_editors_may_use_hub():
    demo.seed()
    demo.seed()
    assert Group.objects.get(name="Editors").permissions.filter(codename="use_hub").exists()
    assert Following.objects.count() == 1
    assert TimelineItem.objects.count() == len(demo.DEMO_POSTS)
    assert Notification.objects.count() == 1


def test_seed_follower_in_a_notification_is_in_the_followers_list():
    from social.federation.models import Follow

    demo.seed()
    for notification in Notification.objects.filter(kind=Notification.Kind.FOLLOW):
        assert Follow.objects.filter(
            local_actor=notification.local_actor,
            remote_actor=notification.remote_actor,
            state=Follow.State.ACCEPTED,
        ).exists()


def test_seed_reply_comes_from_the_follower_and_names_our_post():
    from social.federation.models import Comment, FederatedObject, Follow
    from tests.factories.hub import local_actor

    post = FederatedObject.objects.create(
        object_key="page:999", actor=local_actor(), url="https://coop.example/blog/p/", data={"name": "P"}
    )
    demo.seed()
    demo.seed()
    comment = Comment.objects.get()
    assert comment.object == post
    assert Follow.objects.filter(remote_actor=comment.remote_actor, state=Follow.State.ACCEPTED).exists()
    reply = Notification.objects.get(kind=Notification.Kind.REPLY)
    assert (reply.remote_actor, reply.object_uri) == (comment.remote_actor, post.url)
