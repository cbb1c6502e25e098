"""The social hub end to end over real HTTP: our live server and fake remote servers of ours.

An editor follows a remote account, its post reaches the timeline, the editor replies and likes it
(the remote verifies both signatures), a remote mention becomes a notification, and a blocked
domain is refused at the inbox with 403 and leaves nothing behind.
"""

import pytest

from tests.social.hub.fake_hub_remote import HubRemote, hub_seed

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def hub_site(live_server, settings):
    settings.SITE_URL = live_server.url
    settings.SITE_HOST = live_server.url.split("://")[1]
    settings.HUB_WEBFINGER_ALLOW_HTTP = True
    settings.EDGE_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    hub_seed()
    return live_server


@pytest.fixture
def editor_client(client, hub_site):
    from accounts.models import User

    client.force_login(User.objects.get(email="editor@example.org"))
    return client


@pytest.fixture
def alice():
    with HubRemote() as server:
        yield server


def _follow_accepted(editor_client, hub_site, remote):
    from social.hub.models import Following

    response = editor_client.post("/admin/hub/following/", {"query": remote.handle("alice"), "actor": "blog"})
    assert response.status_code == 302, response.content.decode()[:2000]
    follow = remote.wait_for(lambda a: a["type"] == "Follow")["activity"]
    following = Following.objects.get()
    assert following.state == Following.State.PENDING
    assert follow["object"] == remote.actor_uri("alice")
    accept = remote.activity("Accept", follow)
    assert remote.send(f"{hub_site.url}/ap/users/blog/inbox", accept).status_code == 202
    following.refresh_from_db()
    assert following.state == Following.State.ACCEPTED
    return following


def test_hub_follow_timeline_reply_like_mention_end_to_end(editor_client, hub_site, alice):
    from social.federation.models import Delivery
    from social.hub.models import Notification, TimelineItem
    from social.models import Flow

    _follow_accepted(editor_client, hub_site, alice)

    # alice posts: it reaches our inbox and the timeline, sanitised, with its warning and image alt.
    note = alice.note(
        '<p>Hello <script>alert(1)</script><a href="https://example.org/x" onclick="evil()">co-ops</a></p>',
        summary="food talk",
        attachment=[
            {"type": "Image", "mediaType": "image/png", "url": "https://example.org/a.png", "name": "A pie"}
        ],
    )
    create = alice.activity("Create", note)
    assert alice.send(f"{hub_site.url}/ap/inbox", create).status_code == 202
    item = TimelineItem.objects.get(object_uri=note["id"])
    assert item.on_timeline and "<script>" not in item.content and "onclick" not in item.content
    page = editor_client.get("/admin/hub/").content.decode()
    assert "co-ops" in page and "<details" in page and "food talk" in page and 'alt="A pie"' in page
    assert note["url"] in page  # a link to the original

    # The editor replies (mentioning alice) and likes it; alice's server gets both, signatures verified.
    response = editor_client.post(
        f"/admin/hub/compose/?reply_to={item.pk}",
        {
            "text": f"{alice.handle('alice')} Lovely! #coops",
            "summary": "",
            "actor": "blog",
            "reply_to": item.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    reply = alice.wait_for(lambda a: a["type"] == "Create" and a["object"].get("inReplyTo") == note["id"])
    reply_note = reply["activity"]["object"]
    assert alice.actor_uri("alice") in reply_note["cc"]
    assert {
        "type": "Mention",
        "href": alice.actor_uri("alice"),
        "name": f"@alice@{alice.domain}",
    } in reply_note["tag"]
    assert any(tag["type"] == "Hashtag" and tag["name"] == "#coops" for tag in reply_note["tag"])
    assert reply["activity"]["actor"] == f"{hub_site.url}/ap/users/blog"

    response = editor_client.post(f"/admin/hub/items/{item.pk}/react/", {"actor": "blog", "kind": "like"})
    assert response.status_code == 302
    like = alice.wait_for(lambda a: a["type"] == "Like")["activity"]
    assert like["object"] == note["id"]
    assert alice.rejected == []

    # Each action is a flow in the flow log, and each delivery arrived.
    flows = Flow.objects.filter(behavior="hub_send").order_by("pk")
    assert [flow.event for flow in flows] == ["follow", "reply", "like"]
    assert {flow.status for flow in flows} == {Flow.Status.SUCCEEDED}
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.State.DELIVERED}

    # Our reply is served at its id.
    document = editor_client.get(reply_note["id"].removeprefix(hub_site.url)).json()
    assert document["inReplyTo"] == note["id"]

    # bob, whom nobody follows, mentions the blog: a notification, not a timeline post.
    mention = alice.note(
        "<p>@blog have you seen this?</p>",
        name="bob",
        tag=[{"type": "Mention", "href": f"{hub_site.url}/ap/users/blog", "name": "@blog"}],
    )
    response = alice.send(
        f"{hub_site.url}/ap/inbox", alice.activity("Create", mention, name="bob"), name="bob"
    )
    assert response.status_code == 202, response.text
    notification = Notification.objects.get(kind=Notification.Kind.MENTION)
    assert notification.remote_actor.uri == alice.actor_uri("bob")
    assert not TimelineItem.objects.get(object_uri=mention["id"]).on_timeline
    admin_home = editor_client.get("/admin/").content.decode()
    assert "Notifications (1)" in admin_home
    notifications_page = editor_client.get("/admin/hub/notifications/").content.decode()
    assert "have you seen this?" in notifications_page
    assert "Notifications (1)" not in editor_client.get("/admin/").content.decode()  # read once shown


def test_hub_blocked_domain_refused_with_403_and_never_stored(editor_client, hub_site, alice):
    from social.federation.models import Delivery, DomainBlock, InboxItem
    from social.hub.models import Following, TimelineItem
    from social.models import Flow

    with HubRemote() as evil:
        _follow_accepted(editor_client, hub_site, alice)
        response = editor_client.post("/admin/hub/blocks/", {"domain": alice.domain, "reason": "spam"})
        assert response.status_code == 302
        assert DomainBlock.objects.filter(domain=alice.domain).exists()
        # Blocking ends our follow; the Undo is recorded in the flow log but, like everything else
        # to a blocked domain, never delivered.
        assert not Following.objects.exists()
        unfollow = Flow.objects.get(behavior="hub_send", event="unfollow")
        assert unfollow.status == Flow.Status.SUCCEEDED
        assert not Delivery.objects.filter(activity__activity_id=unfollow.activity_id).exists()
        assert [r["activity"]["type"] for r in alice.received] == ["Follow"]

        before = InboxItem.objects.count()
        note = alice.note("<p>buy now</p>")
        assert alice.send(f"{hub_site.url}/ap/inbox", alice.activity("Create", note)).status_code == 403
        assert InboxItem.objects.count() == before
        assert not TimelineItem.objects.filter(object_uri=note["id"]).exists()

        # Another server on the same address but its own domain (port) is still heard.
        other = evil.note("<p>hello</p>")
        assert evil.send(f"{hub_site.url}/ap/inbox", evil.activity("Create", other)).status_code == 202


def test_hub_account_block_delivers_signed_block_and_unblock_its_undo(editor_client, hub_site, alice):
    from social.federation.actors import remote_actor_get
    from social.federation.models import ActorBlock

    remote = remote_actor_get(alice.actor_uri("alice"))
    response = editor_client.post(
        "/admin/hub/moderate/", {"remote_actor": remote.pk, "action": "block_account"}
    )
    assert response.status_code == 302
    # alice's server verified our signature (only verified POSTs are recorded), at alice's own inbox.
    block = alice.wait_for(lambda a: a["type"] == "Block")
    assert block["path"] == "/users/alice/inbox"
    assert block["activity"]["object"] == alice.actor_uri("alice")
    assert block["activity"]["actor"] == f"{hub_site.url}/ap/users/blog"
    refused = alice.send(f"{hub_site.url}/ap/inbox", alice.activity("Create", alice.note("<p>hi</p>")))
    assert refused.status_code == 403

    response = editor_client.post(
        "/admin/hub/blocks/remove/", {"kind": "account", "pk": ActorBlock.objects.get().pk}
    )
    assert response.status_code == 302
    undo = alice.wait_for(lambda a: a["type"] == "Undo")["activity"]
    assert undo["object"]["type"] == "Block" and undo["object"]["id"] == block["activity"]["id"]
    assert alice.rejected == []
    heard = alice.send(f"{hub_site.url}/ap/inbox", alice.activity("Create", alice.note("<p>back</p>")))
    assert heard.status_code == 202
