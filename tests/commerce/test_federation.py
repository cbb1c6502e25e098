"""The market on the fediverse: products federate from @market and their producer, once per transition.

Over real HTTP: our deliveries reach fake remote servers of ours on 127.0.0.1 (which verify our
signatures). Followers of @market get every product, followers of a producer get theirs, and a shared
inbox gets each activity once whoever it follows.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from oscar.core.loading import get_model

from commerce.models import MarketPage, ProducerPage
from home.demo import home_page_ensure
from home.services import sites_sync_from_settings
from social.federation import ids
from social.federation.actors import local_actor_get
from social.federation.models import FederatedObject, Follow, RemoteActor
from social.models import Flow
from tests.factories.commerce import stocked_product
from tests.security.outbound_guard import outbound_guard_fixture  # noqa: F401
from tests.social.federation.fake_remote import FakeRemote

Partner = get_model("partner", "Partner")
ProductImage = get_model("catalogue", "ProductImage")
StockRecord = get_model("partner", "StockRecord")
pytestmark = pytest.mark.django_db

# A one-pixel transparent GIF: a real image file for the product's picture.
GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


@pytest.fixture
def producer():
    """Hillside Farm's producer page under the market page: the actor @hillside."""
    home = home_page_ensure()
    sites_sync_from_settings()
    market = home.add_child(instance=MarketPage(title="Market", slug="market-fed"))
    partner = Partner.objects.create(name="Hillside Farm")
    return market.add_child(
        instance=ProducerPage(title="Hillside Farm", slug="hillside", partner=partner, intro="Bees and spuds")
    )


def _follow(remote: FakeRemote, name: str, username: str) -> None:
    actor, _ = RemoteActor.objects.get_or_create(
        uri=remote.actor_uri(name),
        defaults={
            "domain": f"127.0.0.1:{remote.port}",
            "username": name,
            "inbox": f"{remote.actor_uri(name)}/inbox",
            "shared_inbox": f"{remote.base}/inbox" if remote.shared_inbox else "",
            "public_key_pem": remote.public_pem,
        },
    )
    Follow.objects.create(local_actor=local_actor_get(username), remote_actor=actor, state="accepted")


def _trusting(server: FakeRemote) -> FakeRemote:
    market = local_actor_get("market")
    server.trust(ids.actor_key_id("market"), ids.actor_id("market"), market.public_key_pem)
    return server


@pytest.fixture
def remotes(producer):
    """`shared`: alice follows @market and bob follows @hillside, behind one shared inbox;
    `own`: carol follows @hillside, on a server without shared inboxes."""
    with _trusting(FakeRemote()) as shared, _trusting(FakeRemote(shared_inbox=False)) as own:
        _follow(shared, "alice", "market")
        _follow(shared, "bob", "hillside")
        _follow(own, "carol", "hillside")
        yield shared, own


def _honey(**kwargs):
    product = stocked_product(partner_name="Hillside Farm", **kwargs)
    product.description = "<p>Raw honey from the <b>hillside</b> hives.</p>"
    product.save()
    ProductImage.objects.create(
        product=product, caption="A jar of golden honey", original=SimpleUploadedFile("honey.gif", GIF)
    )
    return product


def _types(remote: FakeRemote) -> list[str]:
    return [received["activity"]["type"] for received in remote.received]


def _stock(product, units: int) -> None:
    record = product.stockrecords.get()
    record.num_in_stock = units
    record.save()


def test_product_made_available_reaches_market_and_producer_followers_once_per_shared_inbox(
    remotes, committed
):
    shared, own = remotes
    product = committed(_honey)
    key = f"product:{product.pk}"
    [flow] = Flow.objects.filter(object_key=key)  # a product, its stock and its picture: one report
    assert (flow.behavior, flow.status) == ("publish", "succeeded")
    assert [step.name for step in flow.steps.order_by("seq")] == ["validate", "compose", "route", "deliver"]
    # alice (@market) and bob (@hillside) share an inbox: one Create there; carol gets hers.
    [create] = shared.received
    assert create["path"] == "/inbox"
    assert [received["path"] for received in own.received] == ["/users/carol/inbox"]
    activity = create["activity"]
    note = activity["object"]
    assert activity["type"] == "Create" and activity["actor"] == ids.actor_id("market")
    assert ids.actor_collection("hillside", "followers") in activity["cc"]
    assert (note["type"], note["id"], note["attributedTo"]) == (
        "Note",
        ids.object_id(key),
        ids.actor_id("hillside"),
    )
    assert "summary" not in note  # Mastodon would hide the Note behind a content warning
    assert "Wildflower honey" in note["content"] and "£7.50" in note["content"]
    assert "Hillside Farm" in note["content"] and "@hillside@" in note["content"]
    assert "Raw honey from the hillside hives." in note["content"]
    assert note["url"].endswith(product.get_absolute_url()) and note["url"] in note["content"]
    [image] = note["attachment"]
    assert (image["type"], image["name"], image["mediaType"]) == (
        "Image",
        "A jar of golden honey",
        "image/gif",
    )
    assert {"type": "Mention", "href": ids.actor_id("hillside")} == {
        k: v for k, v in note["tag"][0].items() if k != "name"
    }


def test_stock_change_on_one_side_of_zero_sends_nothing_sold_out_deletes_restock_creates(remotes, committed):
    shared, _own = remotes
    product = committed(_honey)
    committed(_stock, product, 4)
    assert _types(shared) == ["Create"]
    record = product.stockrecords.get()
    record.num_allocated = 4  # a checkout holding the last jars is not a sale
    committed(record.save, update_fields=["num_allocated"])
    assert _types(shared) == ["Create"]

    committed(_stock, product, 0)
    assert _types(shared) == ["Create", "Delete"]
    tombstone = shared.received[1]["activity"]["object"]
    assert (tombstone["type"], tombstone["formerType"]) == ("Tombstone", "Note")
    assert Flow.objects.get(object_key=f"product:{product.pk}", behavior="delete").event == "sold out"
    committed(_stock, product, 0)
    assert _types(shared) == ["Create", "Delete"]

    committed(_stock, product, 6)
    assert _types(shared) == ["Create", "Delete", "Create"]
    assert Flow.objects.filter(object_key=f"product:{product.pk}").count() == 3


def test_product_withdrawn_sends_delete_and_an_edit_while_available_sends_update(remotes, committed):
    shared, _own = remotes
    product = committed(_honey)

    def edit_twice():
        product.title = "Heather honey"
        product.save()
        _stock(product, 8)
        product.save()

    committed(edit_twice)  # three saves in one transaction: one report, one Update
    assert _types(shared) == ["Create", "Update"]
    assert "Heather honey" in shared.received[1]["activity"]["object"]["content"]

    product.is_public = False
    committed(product.save)
    assert _types(shared) == ["Create", "Update", "Delete"]
    assert FederatedObject.all_objects.get(object_key=f"product:{product.pk}").state == "none"


def test_rolled_back_change_reports_nothing_and_a_deleted_product_sends_delete(remotes, committed):
    shared, _own = remotes
    product = committed(_honey)

    def withdraw_then_fail():
        with transaction.atomic():
            product.is_public = False
            product.save()
            raise RuntimeError("the editor's form failed")

    with pytest.raises(RuntimeError):
        committed(withdraw_then_fail)
    assert _types(shared) == ["Create"]

    object_id = ids.object_id(f"product:{product.pk}")
    committed(product.delete)
    assert _types(shared) == ["Create", "Delete"]
    delete = shared.received[1]["activity"]
    assert delete["object"]["id"] == object_id
    assert delete["actor"] == ids.actor_id("market")  # as the Create: a Delete from anyone else is refused


def test_private_product_never_federates(remotes, committed):
    shared, _own = remotes

    def hidden():
        product = stocked_product(title="Staff only", partner_name="Hillside Farm")
        product.is_public = False
        product.save()

    committed(hidden)
    assert shared.received == [] and not Flow.objects.exists()


def test_market_and_producer_actor_documents_and_webfinger(producer, client, settings):
    for username, actor_type in (("market", "Service"), ("hillside", "Organization")):
        response = client.get(f"/ap/users/{username}", HTTP_ACCEPT="application/activity+json")
        assert response.status_code == 200
        document = response.json()
        assert (document["id"], document["type"]) == (ids.actor_id(username), actor_type)
        assert document["preferredUsername"] == username and "coming soon" not in document["summary"]
        assert document["inbox"] == ids.actor_collection(username, "inbox")
        assert document["followers"] == ids.actor_collection(username, "followers")
        assert document["publicKey"]["owner"] == document["id"]
        assert "BEGIN PUBLIC KEY" in document["publicKey"]["publicKeyPem"]
        finger = client.get(
            "/.well-known/webfinger", {"resource": f"acct:{username}@{settings.SITE_HOST}"}
        ).json()
        assert finger["subject"] == f"acct:{username}@{settings.SITE_HOST}"
        assert {"rel": "self", "type": "application/activity+json", "href": document["id"]} in finger["links"]
    hillside = client.get("/ap/users/hillside", HTTP_ACCEPT="application/activity+json").json()
    assert hillside["name"] == "Hillside Farm" and "Bees and spuds" in hillside["summary"]
    assert hillside["url"].endswith(producer.url)
    assert client.get("/ap/users/nobody-here", HTTP_ACCEPT="application/activity+json").status_code == 404


def test_market_page_published_by_an_editor_is_a_note_from_market(remotes, committed):
    shared, _own = remotes
    market = MarketPage.objects.get()
    market.intro = "<p>Strawberries are in.</p>"
    committed(market.save_revision().publish)
    [create] = shared.received
    note = create["activity"]["object"]
    assert create["activity"]["actor"] == ids.actor_id("market") and note["type"] == "Note"
    assert "Strawberries are in." in note["content"] and note["attributedTo"] == ids.actor_id("market")
    # Re-published in the same week with nothing changed: nothing goes out (the flow log says so).
    committed(market.save_revision().publish)
    assert _types(shared) == ["Create"]
    # Re-published with a change: an Update of that week's Note, not a second one.
    market.intro = "<p>Strawberries and cherries are in.</p>"
    committed(market.save_revision().publish)
    assert _types(shared) == ["Create", "Update"]
    assert shared.received[1]["activity"]["object"]["id"] == note["id"]


def test_producer_and_market_pages_show_handles_with_follow_from_your_server(producer, client, settings):
    html = client.get(producer.url).content.decode()
    assert f"@hillside@{settings.SITE_HOST}" in html and 'action="/follow/hillside/"' in html
    market_html = client.get(MarketPage.objects.get().url).content.decode()
    assert f"@market@{settings.SITE_HOST}" in market_html and 'action="/follow/market/"' in market_html
    assert "coming soon" not in market_html.lower()
    # The dialog's first step knows the producer as one of our actors.
    assert client.get("/follow/hillside/").status_code == 200
    assert client.get("/follow/nobody-here/").status_code == 404
