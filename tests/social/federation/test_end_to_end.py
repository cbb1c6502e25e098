"""End to end over real HTTP on 127.0.0.1: a fake remote server follows the blog, gets a signed Accept,
then Create/Update/Delete of a post, and likes, boosts and replies to it."""

import pytest
import requests
from django.template import Context, Template

from social.federation.models import Comment, Delivery, DeliveryAttempt, FederatedObject, Follow, Host
from social.federation.signatures import CAVAGE
from social.federation.transport import ActivityPubTransport
from tests.factories.federation import outbound, post_payload

from .fake_remote import FakeRemote

AP = "application/activity+json"


@pytest.fixture
def site(live_server, settings):
    """Our site on a real port, with SITE_URL (hence every id) pointing at it."""
    settings.SITE_URL = live_server.url
    settings.SITE_HOST = live_server.url.split("//")[1]
    return live_server.url


def _follow(remote: FakeRemote, site: str) -> dict:
    activity = remote.activity("Follow", f"{site}/ap/users/blog")
    response = remote.send(f"{site}/ap/users/blog/inbox", activity)
    assert response.status_code == 202, response.text
    return activity


@pytest.mark.django_db(transaction=True)
def test_remote_follows_and_receives_create_update_delete_and_reacts(site):
    with FakeRemote() as remote:
        # discovery, as a remote server does it
        finger = requests.get(
            f"{site}/.well-known/webfinger", params={"resource": f"acct:blog@{site.split('//')[1]}"}
        ).json()
        actor_url = next(link["href"] for link in finger["links"] if link["rel"] == "self")
        assert requests.get(actor_url, headers={"Accept": AP}).json()["preferredUsername"] == "blog"

        follow = _follow(remote, site)
        accept = remote.wait_for(lambda a: a["type"] == "Accept")
        assert accept["activity"]["object"]["id"] == follow["id"]
        assert accept["path"] == "/users/alice/inbox"
        assert accept["scheme"] == "rfc9421"  # our first knock; the remote verified it with our key
        assert Follow.objects.get().state == "accepted"

        transport = ActivityPubTransport()
        payload = post_payload(page_id=51)
        transport.deliver(outbound("Create", payload))
        create = remote.wait_for(lambda a: a["type"] == "Create")
        assert create["path"] == "/inbox"  # the shared inbox
        article = create["activity"]["object"]
        assert article["type"] == "Article" and article["name"] == payload["title"]
        # the id dereferences on our server
        assert requests.get(article["id"], headers={"Accept": AP}).json()["name"] == payload["title"]

        transport.deliver(outbound("Update", {**payload, "title": "Revised"}))
        update = remote.wait_for(lambda a: a["type"] == "Update")
        assert update["activity"]["object"]["name"] == "Revised"

        # reactions from the remote
        for kind in ("Like", "Announce"):
            assert remote.send(f"{site}/ap/inbox", remote.activity(kind, article["id"])).status_code == 202
        note = {
            "id": f"{remote.base}/notes/9",
            "type": "Note",
            "attributedTo": remote.actor_uri(),
            "inReplyTo": article["id"],
            "content": "<p>Great harvest!</p>",
        }
        assert (
            remote.send(f"{site}/ap/inbox", remote.activity("Create", note), scheme="rfc9421").status_code
            == 202
        )
        counts = requests.get(article["id"], headers={"Accept": AP}).json()
        assert (counts["likes"]["totalItems"], counts["shares"]["totalItems"]) == (1, 1)
        comment = Comment.objects.get()
        assert comment.status == "pending"
        obj = FederatedObject.objects.get(object_key="page:51")
        html = Template("{% include 'social/post_reactions.html' %}").render(
            Context({"page": type("Page", (), {"pk": 51, "id": 51})()})
        )
        assert "Great harvest!" not in html  # held for moderation
        comment.status = Comment.Status.APPROVED
        comment.save()
        html = Template("{% include 'social/post_reactions.html' %}").render(
            Context({"page": type("Page", (), {"pk": 51, "id": 51})()})
        )
        assert "Great harvest!" in html
        assert obj.reactions.count() == 2

        transport.deliver(outbound("Delete", payload))
        delete = remote.wait_for(lambda a: a["type"] == "Delete")
        assert delete["activity"]["object"]["type"] == "Tombstone"
        gone = requests.get(payload["url"], headers={"Accept": AP})
        assert gone.status_code == 410 and gone.json()["type"] == "Tombstone"

        assert set(Delivery.objects.values_list("state", flat=True)) == {"delivered"}
        assert not remote.rejected


@pytest.mark.django_db(transaction=True)
def test_cavage_only_remote_gets_double_knock_and_host_remembers(site):
    with FakeRemote(accept_schemes={CAVAGE}) as remote:
        _follow(remote, site)
        accept = remote.wait_for(lambda a: a["type"] == "Accept")
        assert accept["scheme"] == CAVAGE
        attempts = list(DeliveryAttempt.objects.order_by("at").values_list("scheme", "status"))
        assert attempts == [("rfc9421", 401), ("cavage", 202)]
        assert Host.objects.get(domain=f"127.0.0.1:{remote.port}").signature_scheme == CAVAGE
        ActivityPubTransport().deliver(outbound("Create", post_payload()))
        remote.wait_for(lambda a: a["type"] == "Create")
        # the second delivery goes straight to cavage: one POST, no knock
        assert DeliveryAttempt.objects.filter(delivery__activity__activity_type="Create").count() == 1


@pytest.mark.django_db(transaction=True)
def test_delivery_batch_posts_each_inbox_once_records_every_attempt_and_claims_once(site):
    from social.federation import ids
    from social.federation.actors import host_for, local_actor_get
    from social.federation.delivery import activity_record, deliveries_attempt
    from tests.conftest import free_port

    with FakeRemote() as both, FakeRemote(accept_schemes={CAVAGE}) as cavage_only:
        blog = local_actor_get("blog")
        data = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": ids.activity_url("batch-1"),
            "type": "Create",
            "actor": ids.actor_id("blog"),
            "object": {"id": f"{site}/ap/objects/page-61", "type": "Note", "content": "<p>Batch</p>"},
        }
        activity, _ = activity_record(activity_id="batch-1", actor=blog, data=data)
        unreachable = f"http://127.0.0.1:{free_port()}/inbox"  # nothing listens there
        inboxes = [f"{both.base}/inbox", f"{cavage_only.base}/inbox", unreachable]
        # Rows made here rather than by the transport, so no task is queued: the test runs the batch.
        Delivery.objects.bulk_create(
            [Delivery(activity=activity, inbox=inbox, host=host_for(inbox)) for inbox in inboxes]
        )
        batch = list(activity.deliveries.values_list("pk", flat=True))
        outcomes = deliveries_attempt(batch)
        assert sorted(outcomes.values()) == ["delivered", "delivered", "pending"]
        assert both.wait_for(lambda a: a["type"] == "Create")["scheme"] == "rfc9421"
        assert cavage_only.wait_for(lambda a: a["type"] == "Create")["scheme"] == CAVAGE
        by_inbox = {delivery.inbox: delivery for delivery in activity.deliveries.all()}
        assert by_inbox[f"{both.base}/inbox"].state == "delivered"
        knocks = by_inbox[f"{cavage_only.base}/inbox"].attempt_log.order_by("at")
        assert list(knocks.values_list("scheme", "status")) == [("rfc9421", 401), ("cavage", 202)]
        failed = by_inbox[unreachable]
        assert (failed.state, failed.state_attempts, failed.attempt_log.count()) == ("pending", 1, 1)
        # The queue may hand the same batch over twice: the second run claims nothing and posts nothing.
        assert deliveries_attempt(batch) == {}
        assert len(both.received) == len(cavage_only.received) == 1
        assert DeliveryAttempt.objects.filter(delivery__activity=activity).count() == 4
        assert Host.objects.get(domain=f"127.0.0.1:{cavage_only.port}").signature_scheme == CAVAGE
