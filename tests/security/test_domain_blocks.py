"""Domain blocks cover subdomains and every spelling (trailing dot, mixed case, any port), everywhere."""

import pytest

from social.federation.delivery import (
    activity_record,
    deliveries_attempt,
    deliveries_create,
    follower_inboxes,
)
from social.federation.models import Delivery, DomainBlock, Follow, RemoteActor
from social.federation.selectors import accepted_followers
from social.federation.transport import ActivityPubTransport, OutboundActivity
from social.hub import moderation, sending
from social.hub.inbound import activity_handle
from social.hub.models import Following

pytest_plugins = ["tests.security.hostile_remote"]  # network, offline_site, inbox_post
pytestmark = pytest.mark.django_db

# (how the block was written, the server that must be under it)
COVERED = [
    ("evil.example", "evil.example"),
    ("evil.example", "sub.evil.example"),
    ("evil.example", "Sub.Evil.Example."),
    ("evil.example.", "deep.sub.evil.example:8443"),
    ("EVIL.Example", "evil.example."),
    ("evil.example:8443", "a.evil.example:8443"),
]
NOT_COVERED = [
    ("evil.example", "notevil.example"),
    ("evil.example", "evil.example.org"),
    ("evil.example:8443", "evil.example:443"),
    ("sub.evil.example", "evil.example"),
]


def _remote(domain: str, name: str = "eve") -> RemoteActor:
    uri = f"https://{domain}/users/{name}"
    return RemoteActor.objects.create(
        uri=uri, domain=domain.lower().rstrip("."), username=name, inbox=f"{uri}/inbox"
    )


@pytest.fixture
def blog(offline_site):
    from social.federation.actors import local_actor_get

    return local_actor_get("blog")


def test_domain_block_is_stored_normalised():
    assert DomainBlock.objects.create(domain=" Sub.Evil.Example. ").domain == "sub.evil.example"


@pytest.mark.parametrize(("block", "server"), COVERED)
def test_block_covers_subdomains_and_spellings(block, server):
    from social.federation.blocks import blocked_domains, domain_blocked, sender_blocked

    DomainBlock.objects.create(domain=block)
    assert domain_blocked(server) and domain_blocked(f"https://{server}/users/eve")
    assert sender_blocked(server, "https://elsewhere.example/users/x")
    assert blocked_domains().covers(f"https://{server}/inbox")


@pytest.mark.parametrize(("block", "server"), NOT_COVERED)
def test_block_covers_nothing_else(block, server):
    from social.federation.blocks import blocked_domains, domain_blocked, sender_blocked

    DomainBlock.objects.create(domain=block)
    assert not domain_blocked(server) and not sender_blocked(server, f"https://{server}/users/x")
    assert not blocked_domains().covers(f"https://{server}/inbox")


def test_ip_address_has_no_parent_domains():
    from social.federation.blocks import domain_candidates

    assert domain_candidates("127.0.0.1:8000") == ["127.0.0.1:8000", "127.0.0.1"]


# --- inbox ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("block", "server"), COVERED)
def test_inbox_refuses_actor_under_a_block(network, blog, inbox_post, block, server):
    DomainBlock.objects.create(domain=block)
    b = network["b"]
    actor = f"https://{server}/users/eve"
    response = inbox_post(b, b.activity("Like", "x", actor=actor, id=None), key_id=f"{actor}#main-key")
    assert response.status_code == 403


# --- delivery and follower lists ------------------------------------------------------------------


@pytest.mark.parametrize(("block", "server"), COVERED)
def test_follower_lists_leave_out_followers_under_a_block(blog, block, server):
    DomainBlock.objects.create(domain=block)
    blocked, kept = _remote(server), _remote("friendly.example")
    for remote in (blocked, kept):
        Follow.objects.create(local_actor=blog, remote_actor=remote, state=Follow.State.ACCEPTED)
    assert [follow.remote_actor for follow in accepted_followers(blog)] == [kept]
    assert follower_inboxes([blog]) == [kept.inbox]


def test_followers_collection_count_leaves_out_blocked_servers(client, blog):
    DomainBlock.objects.create(domain="Evil.Example.")
    for remote in (_remote("sub.evil.example"), _remote("friendly.example")):
        Follow.objects.create(local_actor=blog, remote_actor=remote, state=Follow.State.ACCEPTED)
    response = client.get("/ap/users/blog/followers", HTTP_ACCEPT="application/activity+json")
    assert response.json()["totalItems"] == 1


@pytest.mark.parametrize(("block", "server"), COVERED)
def test_delivery_never_scheduled_to_a_blocked_inbox(blog, block, server):
    DomainBlock.objects.create(domain=block)
    activity, _ = activity_record(activity_id="a1", actor=blog, data={"type": "Accept"})
    deliveries_create(activity, [f"https://{server}/inbox", "https://friendly.example/inbox"])
    assert list(Delivery.objects.values_list("inbox", flat=True)) == ["https://friendly.example/inbox"]


def test_delivery_scheduled_before_the_block_is_not_sent(blog, django_capture_on_commit_callbacks):
    activity, _ = activity_record(activity_id="a2", actor=blog, data={"type": "Accept"})
    with django_capture_on_commit_callbacks(execute=False):  # scheduled, not yet attempted
        [delivery_id] = deliveries_create(activity, ["https://sub.evil.example/inbox"])
    DomainBlock.objects.create(domain="EVIL.example.")
    assert deliveries_attempt([delivery_id]) == {delivery_id: "failed"}
    delivery = Delivery.objects.get()
    assert delivery.state == Delivery.State.FAILED and not delivery.attempt_log.exists()


# --- hub ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("block", "server"), COVERED)
def test_hub_ignores_activities_from_a_blocked_server(blog, block, server):
    DomainBlock.objects.create(domain=block)
    remote = _remote(server)
    Following.objects.create(local_actor=blog, remote_actor=remote, state=Following.State.ACCEPTED)
    note = {"id": f"{remote.uri}/statuses/1", "type": "Note", "attributedTo": remote.uri, "content": "hi"}
    activity = {"id": f"{remote.uri}/activities/1", "type": "Create", "actor": remote.uri, "object": note}
    assert activity_handle(activity, remote) == "ignored: blocked"


def test_hub_transport_leaves_out_blocked_inboxes(blog):
    DomainBlock.objects.create(domain="evil.example")
    activity = OutboundActivity(
        activity_id="hub-1",
        activity_type="Create",
        actor="blog",
        object_type="Note",
        object_key="hub:note:1",
        payload={
            "activity": {"id": "http://127.0.0.1:9/ap/hub/1", "type": "Create"},
            "inboxes": ["https://Sub.Evil.Example./inbox", "https://friendly.example/inbox"],
        },
    )
    ActivityPubTransport().deliver(activity)
    assert list(Delivery.objects.values_list("inbox", flat=True)) == ["https://friendly.example/inbox"]


def test_hub_domain_block_forgets_subdomain_accounts(blog):
    remote = _remote("sub.evil.example")
    Follow.objects.create(local_actor=blog, remote_actor=remote, state=Follow.State.ACCEPTED)
    block = moderation.domain_block("Evil.Example.")
    assert block.domain == "evil.example"
    assert not Follow.objects.exists()


def test_hub_refuses_to_block_our_own_domain_in_any_spelling(offline_site):
    offline_site.SITE_HOST = "coop.example"
    for spelling in ("Coop.Example.", "example"):
        with pytest.raises(sending.HubError):
            moderation.domain_block(spelling)


def test_hub_domain_mute_covers_subdomains_and_spellings(blog):
    from social.hub import selectors
    from tests.factories import hub as f

    muted, kept = _remote("sub.evil.example"), _remote("friendly.example")
    hidden, shown = (
        f.timeline_item(author=muted, on_timeline=True),
        f.timeline_item(author=kept, on_timeline=True),
    )
    f.notification(remote=muted)
    moderation.mute_add(domain="Evil.Example.")
    assert list(selectors.timeline_items()) == [shown] and hidden.pk
    assert not selectors.notifications_visible().exists()
