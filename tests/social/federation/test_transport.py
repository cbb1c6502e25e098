"""The ActivityPub transport, objects, collections, content negotiation and delivery bookkeeping."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from social.federation import ids
from social.federation.actors import local_actor_get
from social.federation.delivery import delivery_attempt
from social.federation.models import (
    Activity,
    Delivery,
    FederatedObject,
    Follow,
    Host,
    LocalActor,
    RemoteActor,
)
from social.federation.transport import ActivityPubTransport
from tests.conftest import free_port
from tests.factories.federation import outbound, post_payload

pytestmark = pytest.mark.django_db
AP = "application/activity+json"


def follower(local: str, n: int, *, shared: str | None, domain: str = "remote.example"):
    remote = RemoteActor.objects.create(
        uri=f"https://{domain}/users/u{n}",
        domain=domain,
        inbox=f"https://{domain}/users/u{n}/inbox",
        shared_inbox=shared or "",
    )
    actor = local_actor_get(local) if local == "blog" else LocalActor.objects.get(username=local)
    return Follow.objects.create(local_actor=actor, remote_actor=remote, state=Follow.State.ACCEPTED)


def local_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def publish(payload=None, activity_type="Create", **kwargs):
    payload = payload or post_payload()
    return payload, ActivityPubTransport().deliver(outbound(activity_type, payload, **kwargs))


def test_deliver_create_dedupes_shared_inboxes_across_blog_and_author_followers():
    payload, _ = publish()  # creates the author actor "ada"
    for n in range(3):
        follower("blog", n, shared="https://remote.example/inbox")
    follower("ada", 3, shared="https://remote.example/inbox")
    follower("ada", 4, shared=None, domain="solo.example")
    _, receipt = publish({**payload, "summary": "Revised."}, "Update")  # unchanged, it would send nothing
    activity = Activity.objects.get(activity_type="Update")
    assert sorted(activity.deliveries.values_list("inbox", flat=True)) == [
        "https://remote.example/inbox",
        "https://solo.example/users/u4/inbox",
    ]
    assert receipt.deliveries_scheduled == 2
    assert receipt.transport == "activitypub"


def test_deliver_same_activity_id_twice_records_once():
    follower("blog", 1, shared="https://remote.example/inbox")
    payload = post_payload()
    first = ActivityPubTransport().deliver(outbound("Create", payload, activity_id="a-1"))
    second = ActivityPubTransport().deliver(outbound("Create", payload, activity_id="a-1"))
    assert Activity.objects.count() == 1
    assert Delivery.objects.count() == 1
    assert (first.deliveries_scheduled, second.deliveries_scheduled) == (1, 1)
    assert "already recorded" in second.detail


def test_deliver_to_dead_host_records_without_attempting():
    Host.objects.create(domain="remote.example", dead=True)
    follower("blog", 1, shared="https://remote.example/inbox")
    _, receipt = publish()
    assert receipt.deliveries_scheduled == 0
    assert Delivery.objects.get().state == Delivery.State.DEAD_HOST


def test_article_shape(settings):
    payload, _ = publish(post_payload(page_id=42))
    article = Activity.objects.get().data["object"]
    assert article["id"] == f"{settings.SITE_URL}/ap/objects/page-42"
    assert article["type"] == "Article"
    assert article["name"] == "Harvest report 42"
    assert article["content"] == "<p>Hello <strong>fediverse</strong>.</p>"  # sanitised: no script
    assert article["summary"] == "The harvest is in."
    assert article["url"] == payload["url"]
    assert article["attributedTo"] == f"{settings.SITE_URL}/ap/users/ada"
    assert article["to"] == [ids.PUBLIC]
    assert article["cc"] == [f"{settings.SITE_URL}/ap/users/blog/followers"]
    assert article["audience"] == f"{settings.SITE_URL}/ap/users/blog/followers"
    assert article["published"] == payload["published"]
    assert article["tag"] == [
        {"type": "Hashtag", "href": f"{settings.SITE_URL}/?tag=harvest", "name": "#harvest"},
        {"type": "Hashtag", "href": f"{settings.SITE_URL}/?tag=co%20op", "name": "#coop"},
    ]
    assert article["attachment"] == [
        {
            "type": "Image",
            "url": f"{settings.SITE_URL}/media/images/harvest.jpg",
            "mediaType": "image/jpeg",
            "name": "Baskets of apples",
            "width": 1200,
            "height": 630,
        }
    ]
    assert article["preview"]["type"] == "Note"
    assert "Harvest report 42" in article["preview"]["content"]
    create = Activity.objects.get().data
    assert create["type"] == "Create"
    assert create["actor"] == f"{settings.SITE_URL}/ap/users/blog"
    assert f"{settings.SITE_URL}/ap/users/ada/followers" in create["cc"]


def test_private_post_is_addressed_to_followers_only():
    publish(post_payload(is_private=True))
    article = FederatedObject.objects.get().data
    assert ids.PUBLIC not in article["to"] + article["cc"]


def test_author_actor_is_created_with_author_name(client):
    publish()
    document = client.get("/ap/users/ada", HTTP_ACCEPT=AP).json()
    assert document["name"] == "Ada Gardener"
    assert document["preferredUsername"] == "ada"


def test_object_and_content_negotiation_return_article_then_tombstone(client, settings):
    payload, _ = publish(post_payload(page_id=7))
    path = payload["url"].removeprefix(settings.SITE_URL)
    article = client.get(path, HTTP_ACCEPT=AP).json()
    assert article["id"] == f"{settings.SITE_URL}/ap/objects/page-7"
    assert article["likes"]["totalItems"] == 0
    profile = 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
    assert client.get(path, HTTP_ACCEPT=profile).json()["type"] == "Article"
    assert client.get("/ap/objects/page-7", HTTP_ACCEPT=AP).json()["name"] == payload["title"]
    publish(payload, "Delete")
    gone = client.get(path, HTTP_ACCEPT=AP)
    assert gone.status_code == 410
    assert gone.json()["type"] == "Tombstone"
    assert client.get("/ap/objects/page-7", HTTP_ACCEPT=AP).status_code == 410
    delete = Activity.objects.get(activity_type="Delete").data
    assert delete["object"]["type"] == "Tombstone"


def test_content_negotiation_leaves_browsers_alone(client, settings):
    payload, _ = publish()
    path = payload["url"].removeprefix(settings.SITE_URL)
    response = client.get(path, HTTP_ACCEPT="text/html")
    assert response.get("Content-Type", "").startswith("text/html") or response.status_code == 404


def test_update_republish_refreshes_object(client):
    payload, _ = publish(post_payload(page_id=8))
    publish({**payload, "title": "Harvest report, revised"}, "Update")
    assert client.get("/ap/objects/page-8", HTTP_ACCEPT=AP).json()["name"] == "Harvest report, revised"
    assert Activity.objects.get(activity_type="Update").data["object"]["name"] == "Harvest report, revised"


def test_outbox_pages_through_every_public_post(client):
    for n in range(25):
        publish(post_payload(page_id=100 + n, published=f"2026-10-{n + 1:02d}T10:00:00+00:00"))
    publish(post_payload(page_id=200, is_private=True))
    outbox = client.get("/ap/users/blog/outbox", HTTP_ACCEPT=AP).json()
    assert outbox["type"] == "OrderedCollection"
    assert outbox["totalItems"] == 25
    first = client.get(local_path(outbox["first"]), HTTP_ACCEPT=AP).json()
    assert len(first["orderedItems"]) == 20
    assert first["orderedItems"][0]["object"]["name"] == "Harvest report 124"  # newest first
    second = client.get(local_path(first["next"]), HTTP_ACCEPT=AP).json()
    assert len(second["orderedItems"]) == 5
    assert "next" not in second
    author_outbox = client.get("/ap/users/ada/outbox", HTTP_ACCEPT=AP).json()
    assert author_outbox["totalItems"] == 25


def test_followers_count_is_public_items_for_staff(client, admin_user):
    for n in range(3):
        follower("blog", n, shared=None)
    public = client.get("/ap/users/blog/followers", HTTP_ACCEPT=AP).json()
    assert public["totalItems"] == 3
    assert "first" not in public and "orderedItems" not in public
    client.force_login(admin_user)
    owner = client.get("/ap/users/blog/followers?page=1", HTTP_ACCEPT=AP).json()
    assert len(owner["orderedItems"]) == 3


def test_featured_lists_pinned_posts(client):
    publish(post_payload(page_id=300))
    publish(post_payload(page_id=301))
    FederatedObject.objects.filter(object_key="page:301").update(pinned=True)
    featured = client.get("/ap/users/blog/featured", HTTP_ACCEPT=AP).json()
    assert [item["id"].rsplit("/", 1)[-1] for item in featured["orderedItems"]] == ["page-301"]


def test_delivery_retry_policy_grows_from_minutes_to_a_day_and_gives_up_after_three_days():
    policy = Delivery.state_graph.pending.retry
    assert policy.delay(1) == 60 and policy.delay(4) == 8 * 60 and policy.delay(30) == 24 * 3600
    created = timezone.now()
    assert not policy.expired(created, created + timedelta(days=2, hours=23))
    assert policy.expired(created, created + timedelta(days=3))


def test_delivery_attempt_unreachable_retries_then_host_dies(settings):
    port = free_port()  # nothing listens there
    follower("blog", 1, shared=f"http://127.0.0.1:{port}/inbox", domain=f"127.0.0.1:{port}")
    publish()
    delivery = Delivery.objects.get()
    assert delivery_attempt(delivery.pk) == "pending"
    delivery.refresh_from_db()
    assert delivery.state_attempts == 1
    assert delivery.due_at > timezone.now() + timedelta(seconds=50)
    assert delivery.attempt_log.count() == 1
    assert delivery.host.failing_since is not None
    settings.FEDERATION_HOST_DEAD_AFTER = 0
    Delivery.objects.filter(pk=delivery.pk).update(due_at=timezone.now())
    assert delivery_attempt(delivery.pk) == "dead_host"
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.DEAD_HOST
    assert delivery.host.dead
    assert delivery.attempt_log.count() == 2


def test_delete_of_never_federated_object_sends_nothing():
    _, receipt = publish(post_payload(page_id=77), "Delete")
    assert receipt.deliveries_scheduled == 0
    assert "never federated" in receipt.detail
    assert not Activity.objects.exists()
