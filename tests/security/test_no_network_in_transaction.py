"""No HTTP and no email while a database transaction is open: remote calls and mail leave after commit.

Each test runs a real flow against real fake servers on 127.0.0.1 with the outbound guard, which notes
for every connection and email whether our code (or ATOMIC_REQUESTS around a view) had a transaction
open at that moment.
"""

import pytest
from django.contrib.auth.models import Permission

from social.federation import ids
from social.federation.inbox import inbox_item_process
from social.federation.models import InboxItem, RemoteActor
from social.hub.inbound import activity_handle
from social.hub.models import Following, Note, TimelineItem
from tests.factories import hub as f
from tests.security.outbound_guard import outbound_guard_fixture  # noqa: F401
from tests.social.hub.fake_hub_remote import HubRemote

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def remote(settings):
    settings.FEDERATION_ALLOW_PRIVATE_ADDRESSES = True
    settings.HUB_WEBFINGER_ALLOW_HTTP = True
    with HubRemote() as server:
        yield server


@pytest.fixture
def eager_celery():
    from config.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def hub_client(client, django_user_model):
    editor = django_user_model.objects.create_user(email="ed@example.org", password="x")
    editor.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "use_hub"]))
    client.force_login(editor)
    return client


# --- the hub's screens ------------------------------------------------------------------------------


def test_hub_follow_screen_resolves_the_account_outside_the_request_transaction(
    hub_client, remote, eager_celery, outbound_guard
):
    response = hub_client.post("/admin/hub/following/", {"query": remote.handle("carol"), "actor": "blog"})
    assert response.status_code == 302, response.content.decode()[:500]
    assert Following.objects.get().remote_actor.uri == remote.actor_uri("carol")
    outbound_guard.assert_clean("connect")


def test_hub_compose_resolves_mentions_outside_the_request_transaction(
    hub_client, remote, eager_celery, outbound_guard
):
    note = {"text": f"hi {remote.handle('carol')}", "actor": "blog"}
    response = hub_client.post("/admin/hub/compose/", note)
    assert response.status_code == 302, response.content.decode()[:500]
    assert Note.objects.get().mentions[0]["uri"] == remote.actor_uri("carol")
    outbound_guard.assert_clean("connect")


# --- activities arriving ----------------------------------------------------------------------------


def test_hub_announce_fetches_the_boosted_post_outside_a_transaction(remote, outbound_guard):
    from social.federation.actors import remote_actor_get

    booster = remote_actor_get(remote.actor_uri("alice"))
    f.following(remote=booster)
    original = remote.note("<p>original words</p>", name="dave")
    outbound_guard.clear()
    announce = remote.activity("Announce", original["id"])
    assert activity_handle(announce, booster) == "timeline boost"
    assert TimelineItem.objects.get().author.uri == remote.actor_uri("dave")
    outbound_guard.assert_clean("connect")


def test_inbox_item_of_an_unknown_actor_fetches_it_outside_a_transaction(remote, outbound_guard):
    f.local_actor()
    follow = remote.activity("Follow", ids.actor_id("blog"))  # alice is not stored yet: fetched first
    item = InboxItem.objects.create(
        activity_uri=follow["id"], activity_type="Follow", actor_uri=follow["actor"], data=follow
    )
    assert inbox_item_process(item.pk) == InboxItem.State.PROCESSED
    assert RemoteActor.objects.filter(uri=remote.actor_uri("alice")).exists()
    outbound_guard.assert_clean("connect")


def test_inbox_move_fetches_the_new_account_outside_a_transaction(remote, outbound_guard):
    from social.federation.actors import remote_actor_get

    old = remote_actor_get(remote.actor_uri("alice"))
    remote.actor_overrides["bob"] = {"alsoKnownAs": [old.uri]}
    move = remote.activity("Move", old.uri, target=remote.actor_uri("bob"))
    item = InboxItem.objects.create(
        activity_uri=move["id"], activity_type="Move", actor_uri=old.uri, data=move
    )
    outbound_guard.clear()
    assert inbox_item_process(item.pk) == InboxItem.State.PROCESSED, InboxItem.objects.get().error
    assert RemoteActor.objects.get(pk=old.pk).moved_to == remote.actor_uri("bob")
    outbound_guard.assert_clean("connect")
