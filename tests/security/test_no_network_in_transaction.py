"""No HTTP while a database transaction is open: remote calls leave after commit.

Each test runs a real flow against real fake servers on 127.0.0.1 with the outbound guard, which notes
for every connection whether our code (or ATOMIC_REQUESTS around a view) had a transaction open at that
moment. Email: see test_no_mail_in_transaction.py.
"""

import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction

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
    assert inbox_item_process(item.pk) == InboxItem.State.PROCESSED, InboxItem.objects.get().last_error
    assert RemoteActor.objects.get(pk=old.pk).moved_to == remote.actor_uri("bob")
    outbound_guard.assert_clean("connect")


# --- deliveries ---------------------------------------------------------------------------------------


@pytest.fixture
def site(live_server, settings):
    """Our site on a real port (the fake remotes fetch our key from it to verify the POSTs)."""
    settings.SITE_URL = live_server.url
    settings.SITE_HOST = live_server.url.split("//")[1]
    return live_server.url


def test_delivery_batch_records_each_post_before_the_next_goes(site, eager_celery, outbound_guard):
    """A worker killed mid-batch must have recorded every POST it made but the one in flight."""
    from social.federation.actors import host_for
    from social.federation.delivery import activity_record, deliveries_attempt
    from social.federation.models import Delivery
    from tests.social.federation.fake_remote import FakeRemote

    with FakeRemote() as first, FakeRemote() as second:  # two hosts: two connections, in order
        blog = ids.actor_id("blog")
        data = {"id": ids.activity_url("batch-1"), "type": "Like", "actor": blog, "object": site}
        activity, _ = activity_record(activity_id="batch-1", actor=f.local_actor(), data=data)
        inboxes = [f"{first.base}/inbox", f"{second.base}/inbox"]
        Delivery.objects.bulk_create(
            [Delivery(activity=activity, inbox=inbox, host=host_for(inbox)) for inbox in inboxes]
        )
        states_at_connect: list[dict[str, str]] = []
        outbound_guard.on_connect = lambda call: states_at_connect.append(
            dict(Delivery.objects.values_list("inbox", "state"))
        )
        outcomes = deliveries_attempt(list(activity.deliveries.values_list("pk", flat=True)))
    assert sorted(outcomes.values()) == ["delivered", "delivered"]
    assert len(states_at_connect) == 2, states_at_connect
    assert states_at_connect[1][inboxes[0]] == Delivery.State.DELIVERED  # written before the second POST
    outbound_guard.assert_clean("connect")


# --- imports ---------------------------------------------------------------------------------------


@pytest.fixture
def old_ghost_blog():
    """The old Ghost site's images on a real HTTP server on 127.0.0.1 (as in tests/cms)."""
    import functools
    import threading
    from http.server import ThreadingHTTPServer

    from tests.cms.test_import_ghost import FIXTURES, QuietHandler
    from tests.conftest import free_port

    handler = functools.partial(QuietHandler, directory=str(FIXTURES / "ghost-remote"))
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_ghost_import_downloads_images_before_each_post_transaction(old_ghost_blog, outbound_guard):
    from cms.models import BlogPostPage
    from tests.cms.test_import_ghost import EXPORT, IMAGES, run_import
    from tests.factories.cms import blog_index_ensure

    blog_index_ensure()
    out, _ = run_import(str(EXPORT), "--images-dir", str(IMAGES), "--ghost-url", old_ghost_blog)
    assert out.splitlines()[0] == "4 created, 0 updated, 0 unchanged, 2 skipped"
    assert BlogPostPage.objects.get(slug="sourdough-starter").hero_image is not None  # fetched remotely
    outbound_guard.assert_clean("connect")


# --- oEmbed ---------------------------------------------------------------------------------------


@pytest.fixture
def oembed_provider(remote, settings):
    """An oEmbed provider on 127.0.0.1 that Wagtail's finder is configured to ask for its video URLs."""
    answer = {"type": "video", "version": "1.0", "title": "Bees", "width": 640, "height": 360}
    answer["html"] = '<iframe src="https://player.example/bees" title="Bees"></iframe>'
    remote.files["/oembed"] = ("application/json", json.dumps(answer).encode())
    provider = {"endpoint": f"{remote.base}/oembed", "urls": [rf"^{re.escape(remote.base)}/video/.+$"]}
    finder = settings.WAGTAILEMBEDS_FINDERS[0]["class"]  # the configured one, asking through the edge
    settings.WAGTAILEMBEDS_FINDERS = [{"class": finder, "providers": [provider]}]
    return f"{remote.base}/video/bees"


def test_embed_block_saved_by_an_editor_asks_the_provider_after_commit(
    oembed_provider, eager_celery, outbound_guard
):
    from wagtail.embeds.models import Embed

    from cms.blocks import ArticleStreamBlock

    body = ArticleStreamBlock()
    with transaction.atomic():  # as the page editor's request validates the body
        body.clean(body.to_python([{"type": "embed", "value": oembed_provider}]))
    outbound_guard.assert_clean("connect")
    assert Embed.objects.get(url=oembed_provider).title == "Bees"  # stored for the page to render


def test_embed_block_of_no_known_provider_refused_without_a_request(oembed_provider, outbound_guard):
    from django.core.exceptions import ValidationError

    from cms.blocks import ArticleStreamBlock

    body = ArticleStreamBlock()
    with pytest.raises(ValidationError):
        body.clean(body.to_python([{"type": "embed", "value": "https://unknown.example/video/1"}]))
    assert outbound_guard.of("connect") == []


# --- the admin screens' own remote calls: Wagtail's embed chooser, the page preview ---------------


def test_rich_text_embed_chooser_asks_the_provider_outside_the_request_transaction(
    client, oembed_provider, outbound_guard
):
    from tests.factories.accounts import UserFactory

    client.force_login(UserFactory(email="ed@example.org", is_staff=True, is_superuser=True))
    response = client.post("/admin/embeds/chooser/upload/", {"embed-chooser-url": oembed_provider})
    assert response.json()["step"] == "embed_chosen", response.content.decode()[:500]
    outbound_guard.assert_clean("connect")


def test_page_preview_asks_the_provider_outside_the_request_transaction(
    client, remote, oembed_provider, outbound_guard
):
    from wagtail.test.utils.form_data import nested_form_data, streamfield

    from tests.cms.test_autosave import edit_form_state
    from tests.factories.accounts import UserFactory
    from tests.factories.cms import blog_post

    answer = remote.files.pop("/oembed")  # down while the editor typed the URL: nothing stored
    post = blog_post(publish=False, slug="previewed")
    client.force_login(UserFactory(email="ed@example.org", is_staff=True, is_superuser=True))
    data = edit_form_state(client, post, "Words.")
    data |= nested_form_data({"body": streamfield([("embed", oembed_provider)])})
    assert client.post(f"/admin/pages/{post.pk}/edit/preview/", data).json()["is_valid"]
    remote.files["/oembed"] = answer
    outbound_guard.clear()
    response = client.get(f"/admin/pages/{post.pk}/edit/preview/")
    assert "player.example/bees" in response.content.decode()  # asked as the preview renders
    outbound_guard.assert_clean("connect")


def test_routes_taken_out_of_the_request_transaction_keep_their_access_checks(client):
    from tests.factories.accounts import UserFactory
    from tests.factories.cms import blog_post

    post = blog_post(publish=False, slug="closed")
    client.force_login(UserFactory(email="member@example.org"))  # signed in, neither editor nor staff
    routes = (
        "/admin/embeds/chooser/upload/",
        f"/admin/pages/{post.pk}/edit/preview/",
        "/shop/dashboard/comms/A/",
    )
    answers = {url: client.post(url, {"embed-chooser-url": "https://example.org/"}) for url in routes}
    assert {url: (r.status_code, r.get("Location", "")) for url, r in answers.items()} == {
        routes[0]: (302, f"/account/login/?next={routes[0]}"),  # Wagtail's admin access check
        routes[1]: (302, f"/account/login/?next={routes[1]}"),
        routes[2]: (403, ""),  # Oscar's dashboard permissions
    }
