"""Blocking from the hub: an account block sends a Block (undone on unblock); a domain block stays local."""

import pytest

from social.federation.models import Activity, ActorBlock, Delivery, DomainBlock, Follow
from social.hub import moderation
from social.hub.models import Following, SentBlock
from social.models import Flow
from tests.factories import hub as f

pytestmark = pytest.mark.django_db


def _sent(event: str) -> list[dict]:
    return [flow.payload for flow in Flow.objects.filter(behavior="hub_send", event=event).order_by("pk")]


def test_account_block_sends_block_to_the_accounts_own_inbox(django_capture_on_commit_callbacks):
    remote = f.remote_actor()
    remote.shared_inbox = "https://remote.example/inbox"
    remote.save()
    with django_capture_on_commit_callbacks(execute=False) as started:
        moderation.account_block(remote, reason="abuse")
    for callback in started:  # run the flow (the transport records the activity and its delivery)
        with django_capture_on_commit_callbacks(execute=False):
            callback()
    assert ActorBlock.objects.get().uri == remote.uri
    [payload] = _sent("block")
    block = payload["activity"]
    assert block["type"] == "Block" and block["object"] == remote.uri and block["to"] == [remote.uri]
    assert block["actor"].endswith("/ap/users/blog")
    # To the account itself, not its server's shared inbox, and never to our followers.
    assert payload["inboxes"] == [remote.inbox] and payload["followers"] is False
    recorded = Activity.objects.get(activity_type="Block")
    assert list(Delivery.objects.filter(activity=recorded).values_list("inbox", flat=True)) == [remote.inbox]
    assert SentBlock.objects.get().activity_uri == block["id"]


def test_account_block_ends_follows_both_ways_and_every_related_actor_blocks():
    from social.federation.actors import local_actor_get

    remote = f.remote_actor()
    market = local_actor_get("market")  # a second actor of ours, which follows the account
    f.following(remote=remote, local=market)
    Follow.objects.create(local_actor=f.local_actor(), remote_actor=remote, state=Follow.State.ACCEPTED)
    moderation.account_block(remote)
    assert not Following.objects.exists() and not Follow.objects.exists()
    assert [p["activity"]["type"] for p in _sent("unfollow")] == ["Undo"]
    blockers = sorted(p["actor"] for p in _sent("block"))
    assert blockers == ["blog", "market"]


def test_account_block_twice_sends_one_block():
    remote = f.remote_actor()
    moderation.account_block(remote)
    moderation.account_block(remote)
    assert len(_sent("block")) == 1 and SentBlock.objects.count() == 1


def test_account_unblock_undoes_the_block_it_sent():
    remote = f.remote_actor()
    moderation.account_block(remote)
    block = _sent("block")[0]["activity"]
    moderation.account_unblock(ActorBlock.objects.get())
    [payload] = _sent("unblock")
    undo = payload["activity"]
    assert undo["type"] == "Undo" and undo["object"]["type"] == "Block"
    assert undo["object"]["id"] == block["id"] and undo["object"]["object"] == remote.uri
    assert payload["inboxes"] == [remote.inbox]
    assert not ActorBlock.objects.exists() and not SentBlock.objects.exists()


def test_domain_block_sends_no_block_but_removes_follows_with_the_domain():
    spam = f.remote_actor(domain="spam.example")
    friend = f.remote_actor(domain="friends.example")
    f.following(remote=spam)
    kept = f.following(remote=friend)
    blog = f.local_actor()
    Follow.objects.create(local_actor=blog, remote_actor=spam, state=Follow.State.ACCEPTED)
    theirs = Follow.objects.create(local_actor=blog, remote_actor=friend, state=Follow.State.ACCEPTED)
    moderation.domain_block("spam.example")
    assert DomainBlock.objects.filter(domain="spam.example").exists()
    assert list(Following.objects.all()) == [kept] and list(Follow.objects.all()) == [theirs]
    assert _sent("block") == [] and not SentBlock.objects.exists()
    # The Undo of our follow is in the flow log but, like all else to a blocked domain, delivered nowhere.
    assert not Delivery.objects.filter(inbox__contains="spam.example").exists()
