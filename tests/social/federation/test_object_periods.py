"""An object's periods on the fediverse, and Updates that would change nothing.

Mastodon and Misskey keep the Tombstone of a deleted id and drop a later Create of it: a product back in
stock, or a post republished, must come back under a new id (the old one answers 410 Gone, reactions to
it still count). A save that changes nothing that federates sends no Update, and the flow log says why.
Over real HTTP: our deliveries reach a fake remote server of ours on 127.0.0.1 (which verifies our
signatures); the remote's Like and reply reach our inbox signed by it.
"""

from urllib.parse import urlsplit

import pytest

from social.federation import ids
from social.federation.actors import local_actor_get
from social.federation.models import Activity, Comment, FederatedObject, Follow, RemoteActor
from social.models import Flow
from tests.factories.commerce import stocked_product
from tests.factories.social import blog_post, publish

from .fake_remote import FakeRemote

pytestmark = pytest.mark.django_db
AP = "application/activity+json"


@pytest.fixture
def market_remote():
    """A fake server whose alice follows @market (and trusts @market's key, so our POSTs verify)."""
    market = local_actor_get("market")
    with FakeRemote() as remote:
        remote.trust(ids.actor_key_id("market"), ids.actor_id("market"), market.public_key_pem)
        alice = RemoteActor.objects.create(
            uri=remote.actor_uri("alice"),
            domain=f"127.0.0.1:{remote.port}",
            username="alice",
            inbox=f"{remote.actor_uri('alice')}/inbox",
            shared_inbox=f"{remote.base}/inbox",
            public_key_pem=remote.public_pem,
        )
        Follow.objects.create(local_actor=market, remote_actor=alice, state=Follow.State.ACCEPTED)
        yield remote


def _sent(remote: FakeRemote) -> list[tuple[str, str]]:
    """(activity type, object id) of each activity the remote received, in order."""
    return [(r["activity"]["type"], r["activity"]["object"]["id"]) for r in remote.received]


def _stock(product, units: int) -> None:
    record = product.stockrecords.get()
    record.num_in_stock = units
    record.save()


def _get(client, uri: str):
    return client.get(urlsplit(uri).path, HTTP_ACCEPT=AP)


def _sold_out_and_back(committed):
    product = committed(stocked_product)
    committed(_stock, product, 0)
    committed(_stock, product, 5)
    return product


def test_product_back_in_stock_is_created_under_a_new_id_and_the_old_id_is_gone(
    market_remote, committed, client
):
    product = _sold_out_and_back(committed)
    key = f"product:{product.pk}"
    first, second = ids.object_id(key), ids.object_id(key, 2)
    assert first != second
    assert _sent(market_remote) == [("Create", first), ("Delete", first), ("Create", second)]
    created, again = market_remote.received[0]["activity"]["object"], market_remote.received[2]["activity"]
    assert again["object"]["url"] == created["url"]  # the product's page stays its canonical URL

    gone = _get(client, first)
    assert gone.status_code == 410
    assert (gone.json()["type"], gone.json()["id"], gone.json()["formerType"]) == ("Tombstone", first, "Note")
    live = _get(client, second)
    assert live.status_code == 200 and (live.json()["type"], live.json()["id"]) == ("Note", second)
    assert _get(client, created["url"]).json()["id"] == second  # the page's own URL, negotiated
    assert _get(client, ids.object_id(key, 3)).status_code == 404  # a period yet to come

    # An edit in the second period is an Update of the second period's id.
    product.title = "Heather honey"
    committed(product.save)
    assert _sent(market_remote)[-1] == ("Update", second)
    assert "Heather honey" in market_remote.received[-1]["activity"]["object"]["content"]


def test_a_like_of_the_id_from_before_it_sold_out_counts_on_the_product(
    market_remote, committed, client, signed_post
):
    product = _sold_out_and_back(committed)
    key = f"product:{product.pk}"
    response = committed(
        signed_post, market_remote, "/ap/inbox", market_remote.activity("Like", ids.object_id(key))
    )
    assert response.status_code == 202
    assert FederatedObject.objects.get(object_key=key).reactions.get().kind == "like"
    assert _get(client, ids.object_id(key, 2)).json()["likes"]["totalItems"] == 1


def test_saving_a_product_with_nothing_that_federates_changed_sends_no_update_and_the_log_says_so(
    market_remote, committed
):
    product = committed(stocked_product)
    committed(product.save)  # the editor pressed Save without changing anything
    key = f"product:{product.pk}"
    assert _sent(market_remote) == [("Create", ids.object_id(key))]
    [flow] = Flow.objects.filter(object_key=key, behavior="update")
    assert (flow.status, flow.path) == ("succeeded", ["validate", "compose", "changed?"])
    step = flow.steps.get(name="changed?")
    assert (step.branch, step.note) == ("unchanged", "unchanged: nothing sent")
    assert not Activity.objects.filter(activity_type="Update").exists()

    product.title = "Heather honey"
    committed(product.save)
    assert [sent[0] for sent in _sent(market_remote)] == ["Create", "Update"]


def test_post_republished_after_unpublishing_is_a_new_object_and_a_reply_to_the_old_id_counts(
    recording_remote, committed, signed_post
):
    post = blog_post()
    committed(publish, post)
    committed(post.unpublish)
    committed(publish, post)
    first, second = ids.object_id(f"page:{post.pk}"), ids.object_id(f"page:{post.pk}", 2)
    assert _sent(recording_remote) == [("Create", first), ("Delete", first), ("Create", second)]

    committed(publish, post)  # republished with no change: nothing goes out
    assert len(recording_remote.received) == 3
    assert Flow.objects.filter(object_key=f"page:{post.pk}", behavior="update").get().path[-1] == "changed?"

    note = {
        "id": f"{recording_remote.base}/notes/1",
        "type": "Note",
        "attributedTo": recording_remote.actor_uri(),
        "inReplyTo": first,
        "content": "<p>Glad it is back.</p>",
    }
    response = committed(
        signed_post, recording_remote, "/ap/inbox", recording_remote.activity("Create", note)
    )
    assert response.status_code == 202
    assert Comment.objects.get().object == FederatedObject.objects.get(object_key=f"page:{post.pk}")
