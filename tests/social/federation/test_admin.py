"""Wagtail admin: the federation listings render and their actions do what they say."""

import pytest
from django.urls import reverse

from social.federation.actors import local_actor_get
from social.federation.models import Activity, Comment, Delivery, FederatedObject, Follow, Host, RemoteActor
from social.federation.transport import ActivityPubTransport
from tests.factories.federation import outbound, post_payload

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def remote_actor():
    return RemoteActor.objects.create(
        uri="https://remote.example/users/bob",
        domain="remote.example",
        username="bob",
        inbox="https://remote.example/users/bob/inbox",
    )


@pytest.mark.parametrize(
    "name",
    [
        "federation_followers",
        "federation_objects",
        "federation_comments",
        "federation_deliveries",
        "federation_hosts",
        "federation_inbox",
        "federation_domain_blocks",
        "federation_actor_blocks",
    ],
)
def test_admin_listing_renders(admin_client, name, remote_actor):
    Follow.objects.create(local_actor=local_actor_get("blog"), remote_actor=remote_actor)
    response = admin_client.get(reverse(f"{name}:index"))
    assert response.status_code == 200


def test_admin_pending_follower_accept_queues_accept(
    admin_client, remote_actor, django_capture_on_commit_callbacks
):
    follow = Follow.objects.create(
        local_actor=local_actor_get("blog"), remote_actor=remote_actor, follow_id="https://remote.example/f/1"
    )
    listing = admin_client.get(reverse("federation_followers:index"))
    url = reverse("federation_action", args=["follow-accept", follow.pk])
    assert url in listing.text
    assert admin_client.get(url).status_code == 200  # the confirmation page
    response = admin_client.post(url, {"next": reverse("federation_followers:index")})
    assert response.status_code == 302
    follow.refresh_from_db()
    assert follow.state == "accepted"
    accept = Activity.objects.get(activity_type="Accept")
    assert accept.deliveries.get().inbox == remote_actor.inbox


def test_admin_comment_approve_shows_reply(admin_client, remote_actor):
    obj = FederatedObject.objects.create(
        object_key="page:1", actor=local_actor_get("blog"), url="https://x/p/", data={"id": "x"}
    )
    comment = Comment.objects.create(
        uri="https://remote.example/n/1", remote_actor=remote_actor, object=obj, content="<p>Hi</p>"
    )
    admin_client.post(reverse("federation_action", args=["comment-approve", comment.pk]))
    comment.refresh_from_db()
    assert comment.status == "approved"


def test_admin_delivery_retry_revives_host_and_requeues(admin_client, remote_actor, settings):
    Follow.objects.create(local_actor=local_actor_get("blog"), remote_actor=remote_actor, state="accepted")
    ActivityPubTransport().deliver(outbound("Create", post_payload()))
    delivery = Delivery.objects.get()
    Delivery.objects.filter(pk=delivery.pk).update(state=Delivery.State.DEAD_HOST)
    Host.objects.filter(pk=delivery.host_id).update(dead=True)
    listing = admin_client.get(reverse("federation_deliveries:index"))
    url = reverse("federation_action", args=["delivery-retry", delivery.pk])
    assert url in listing.text
    admin_client.post(url)
    delivery.refresh_from_db()
    assert delivery.state == Delivery.State.PENDING
    assert not delivery.host.dead


def test_admin_action_needs_permission(client, django_user_model, remote_actor):
    user = django_user_model.objects.create_user(email="x@example.org", password="pw-123456789")
    client.force_login(user)
    follow = Follow.objects.create(local_actor=local_actor_get("blog"), remote_actor=remote_actor)
    response = client.post(reverse("federation_action", args=["follow-accept", follow.pk]))
    assert response.status_code in (302, 403)
    follow.refresh_from_db()
    assert follow.state == "pending"


def test_state_machines_page_counts_deliveries_and_inbox_items_per_state(admin_client):
    from datetime import timedelta

    from django.utils import timezone

    from social.federation.actors import host_for
    from social.federation.delivery import activity_record
    from social.federation.models import InboxItem

    activity, _ = activity_record(activity_id="sm", actor=local_actor_get("blog"), data={"type": "Note"})
    stalled = timezone.now() - timedelta(minutes=1)
    for n, state in enumerate(["pending", "pending", "delivered", "failed", "dead_host"]):
        inbox = f"https://remote{n}.example/inbox"
        Delivery.objects.create(activity=activity, inbox=inbox, host=host_for(inbox), state=state)
    Delivery.objects.filter(state="pending").update(locked_until=stalled)  # their worker died
    InboxItem.objects.create(activity_type="Like", actor_uri="https://r.example/u", data={}, state="ignored")

    html = admin_client.get("/admin/state-machines/").content.decode()

    rows = "/admin/state-machines/federation.delivery/"
    machine = html.split('id="machine-federationdelivery"', 1)[1].split("</section>", 1)[0]
    assert f'<a href="{rows}?state=pending">2</a>' in machine
    assert f'<a href="{rows}?state=pending&amp;only=stalled">2</a>' in machine
    for state in ("delivered", "failed", "dead_host"):
        assert f'<a href="{rows}?state={state}">1</a>' in machine
    items = html.split('id="machine-federationinboxitem"', 1)[1].split("</section>", 1)[0]
    assert '<a href="/admin/state-machines/federation.inboxitem/?state=ignored">1</a>' in items
