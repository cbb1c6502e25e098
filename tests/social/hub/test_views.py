"""The hub's admin screens: who may see them, paging, the menu's unread count, moderation buttons."""

import pytest
from django.contrib.auth.models import Permission

from social.hub.models import Mute
from tests.factories import hub as f

pytestmark = pytest.mark.django_db

SCREENS = [
    "/admin/hub/",
    "/admin/hub/compose/",
    "/admin/hub/following/",
    "/admin/hub/notifications/",
    "/admin/hub/blocks/",
]


@pytest.fixture
def staff_user(django_user_model):
    user = django_user_model.objects.create_user(email="ed@example.org", password="x")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    return user


@pytest.fixture
def hub_client(client, staff_user):
    staff_user.user_permissions.add(Permission.objects.get(codename="use_hub"))
    client.force_login(staff_user)
    return client


@pytest.mark.parametrize("path", SCREENS)
def test_hub_screens_without_permission_refused(client, staff_user, path):
    client.force_login(staff_user)
    response = client.get(path)
    # Wagtail's admin turns PermissionDenied into a redirect to the dashboard with a message.
    assert response.status_code == 302 and response["Location"] == "/admin/"


@pytest.mark.parametrize("path", SCREENS)
def test_hub_screens_with_permission_render(hub_client, path):
    assert hub_client.get(path).status_code == 200


def test_hub_menu_hidden_without_permission(client, staff_user):
    client.force_login(staff_user)
    assert "hub-timeline" not in client.get("/admin/").content.decode()


def test_hub_menu_shows_unread_count(hub_client):
    f.notification()
    f.notification()
    page = hub_client.get("/admin/").content.decode()
    assert "Social (2)" in page and "Notifications (2)" in page


@pytest.fixture
def other_editor(staff_user, django_user_model):
    from django.test import Client

    other = django_user_model.objects.create_user(email="bo@example.org", password="x")
    other.user_permissions.add(*Permission.objects.filter(codename__in=["access_admin", "use_hub"]))
    client = Client()
    client.force_login(other)
    return client


def test_notifications_read_by_one_editor_stay_unread_for_another(hub_client, other_editor):
    f.notification()
    f.notification()
    assert "Notifications (2)" in hub_client.get("/admin/hub/notifications/").content.decode()
    assert "Notifications (2)" not in hub_client.get("/admin/").content.decode()
    page = other_editor.get("/admin/").content.decode()
    assert "Notifications (2)" in page and "Social (2)" in page
    assert "hub-unread" in other_editor.get("/admin/hub/notifications/").content.decode()


def test_timeline_new_items_marked_per_editor(hub_client, other_editor):
    f.timeline_item()
    assert "Timeline (1)" in hub_client.get("/admin/").content.decode()
    assert 'data-unread="1"' in hub_client.get("/admin/hub/").content.decode()
    assert 'data-unread="1"' not in hub_client.get("/admin/hub/").content.decode()  # seen once shown
    assert "Timeline (1)" not in hub_client.get("/admin/").content.decode()
    assert "Timeline (1)" in other_editor.get("/admin/").content.decode()
    newer = f.timeline_item()
    page = hub_client.get("/admin/hub/").content.decode()
    assert f'id="item-{newer.pk}" data-unread="1"' in page and page.count('data-unread="1"') == 1


def test_unblock_account_from_blocks_screen_sends_undo(hub_client):
    from social.federation.models import ActorBlock
    from social.models import Flow

    item = f.timeline_item()
    hub_client.post("/admin/hub/moderate/", {"remote_actor": item.author.pk, "action": "block_account"})
    block = ActorBlock.objects.get(uri=item.author.uri)
    assert 'value="account"' in hub_client.get("/admin/hub/blocks/").content.decode()
    response = hub_client.post("/admin/hub/blocks/remove/", {"kind": "account", "pk": block.pk})
    assert response.status_code == 302 and not ActorBlock.objects.exists()
    events = list(Flow.objects.filter(behavior="hub_send").order_by("pk").values_list("event", flat=True))
    assert events == ["block", "unblock"]


def test_timeline_paged_twenty_a_page(hub_client):
    for _ in range(25):
        f.timeline_item()
    first = hub_client.get("/admin/hub/").content.decode()
    second = hub_client.get("/admin/hub/?page=2").content.decode()
    assert first.count('class="hub-item"') == 20 and second.count('class="hub-item"') == 5
    assert "Page 1 of 2" in first


def test_moderate_mute_account_from_item(hub_client):
    item = f.timeline_item()
    response = hub_client.post(
        "/admin/hub/moderate/",
        {"remote_actor": item.author.pk, "action": "mute_account", "next": "/admin/hub/"},
    )
    assert response.status_code == 302 and response["Location"] == "/admin/hub/"
    assert Mute.objects.get().account == item.author
    assert 'class="hub-item"' not in hub_client.get("/admin/hub/").content.decode()


def test_moderate_next_to_other_site_ignored(hub_client):
    item = f.timeline_item()
    response = hub_client.post(
        "/admin/hub/moderate/",
        {"remote_actor": item.author.pk, "action": "mute_domain", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/admin/hub/"


def test_react_as_actor_not_ours_refused(hub_client):
    from social.hub.models import Reaction

    item = f.timeline_item()
    f.local_actor("market")
    response = hub_client.post(f"/admin/hub/items/{item.pk}/react/", {"actor": "market", "kind": "like"})
    assert response["Location"] == "/admin/"
    assert not Reaction.objects.exists()


def test_note_object_served_as_activity_json(client):
    from social.hub import notes

    note = notes.note_publish(local_actor=f.local_actor(), text="Hi #there")
    response = client.get(f"/ap/hub/notes/{note.pk}")
    assert response["Content-Type"] == "application/activity+json"
    document = response.json()
    assert document["id"] == note.uri and document["type"] == "Note"


def test_editor_with_author_acts_as_blog_or_own_author(hub_client, staff_user):
    from django.apps import apps

    from social.hub.models import Reaction

    apps.get_model("cms", "Author").objects.create(slug="ada", name="Ada Gardener", user=staff_user)
    apps.get_model("cms", "Author").objects.create(slug="bea", name="Someone Else")
    page = hub_client.get("/admin/hub/following/").content.decode()
    assert 'value="blog"' in page and 'value="ada"' in page and 'value="bea"' not in page
    item = f.timeline_item()
    hub_client.post(f"/admin/hub/items/{item.pk}/react/", {"actor": "ada", "kind": "like"})
    assert Reaction.objects.get().local_actor.username == "ada"
    refused = hub_client.post(f"/admin/hub/items/{item.pk}/react/", {"actor": "bea", "kind": "like"})
    assert refused["Location"] == "/admin/" and Reaction.objects.count() == 1
