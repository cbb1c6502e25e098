"""Unpublishing or deleting a federated post renders nothing: its Delete carries a Tombstone (what
identifies the post), so an embed that is not stored (or whose stored answer has been dropped) is never
asked of its provider inside the editor's transaction, nor at all."""

import pytest

from tests.security.fake_oembed import (  # noqa: F401
    embed_body,
    oembed_provider_fixture,
    oembed_remote_fixture,
)
from tests.security.outbound_guard import outbound_guard_fixture  # noqa: F401

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def editor(client):
    from tests.factories.accounts import UserFactory

    client.force_login(UserFactory(email="ed@example.org", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def live_post_embed_dropped(oembed_provider):
    """A published post with an embed, whose stored oEmbed answer has since been dropped."""
    from wagtail.embeds.models import Embed

    from social.models import Flow
    from tests.factories.cms import blog_post

    post = blog_post(publish=True, body=embed_body(oembed_provider), slug="embedded")
    assert Flow.objects.filter(object_key=f"page:{post.pk}").exists()
    Embed.objects.all().delete()
    return post


@pytest.mark.parametrize("action", ["unpublish", "delete"])
def test_unpublish_or_delete_of_a_federated_post_asks_no_provider(
    editor, live_post_embed_dropped, outbound_guard, action
):
    from social.models import Flow

    post = live_post_embed_dropped
    outbound_guard.clear()
    response = editor.post(f"/admin/pages/{post.pk}/{action}/")
    assert response.status_code == 302
    outbound_guard.assert_clean()
    assert outbound_guard.of("connect") == []  # nothing rendered: no provider asked, in or out of it
    flow = Flow.objects.filter(object_key=f"page:{post.pk}", behavior="delete").get()
    assert flow.payload["title"] == post.title
    assert flow.payload["url"].endswith("/embedded/")


def test_a_delete_is_sent_by_the_actor_that_federated_the_object(live_post_embed_dropped):
    """Mastodon refuses a Delete from anyone but the object's own actor; the flow names that actor too."""
    from social.federation.actors import local_actor_get
    from social.federation.models import Activity, FederatedObject
    from social.models import Flow

    post = live_post_embed_dropped
    obj_key = f"page:{post.pk}"
    FederatedObject.objects.filter(object_key=obj_key).update(actor=local_actor_get("events"))
    post.unpublish()
    flow = Flow.objects.get(object_key=obj_key, behavior="delete")
    assert flow.payload["actor"] == "events"
    delete = Activity.objects.get(object__object_key=obj_key, data__type="Delete")
    assert delete.actor.username == "events"
