"""Hub notes in their actor's outbox: the Create they went out in, merged with posts newest first, paged."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone

from social.federation import ids
from social.federation.transport import ActivityPubTransport
from social.hub import notes
from social.hub.models import Note
from social.models import Flow
from tests.factories import hub as f
from tests.factories.federation import outbound, post_payload

pytestmark = pytest.mark.django_db
AP = "application/activity+json"


def _get(client, url: str) -> dict:
    parts = urlsplit(url)
    return client.get(f"{parts.path}?{parts.query}", HTTP_ACCEPT=AP).json()


def _note(actor, published, n: int) -> Note:
    return Note.objects.create(
        local_actor=actor,
        uri=f"{settings.SITE_URL}/ap/hub/notes/t{n}",
        text=f"note {n}",
        content=f"<p>note {n}</p>",
        published=published,
    )


def test_note_publish_outbox_serves_the_create_it_was_delivered_in(client):
    item = f.timeline_item()
    note = notes.note_publish(local_actor=f.local_actor(), text="Agreed #bread", reply_to=item)
    sent = Flow.objects.get(pk=note.flow_id).payload["activity"]
    outbox = client.get("/ap/users/blog/outbox", HTTP_ACCEPT=AP).json()
    assert outbox["totalItems"] == 1
    [create] = _get(client, outbox["first"])["orderedItems"]
    # The same activity, same id: a server that already has it sees nothing new.
    assert create == {key: value for key, value in sent.items() if key != "@context"}
    assert create["id"].startswith(ids.activity_url(""))
    assert create["object"]["id"] == note.uri and create["object"]["inReplyTo"] == item.object_uri


def test_outbox_posts_and_notes_merged_newest_first_across_pages(client):
    blog = f.local_actor()
    start = timezone.now() - timedelta(days=60)
    expected = []  # (published, object id)
    for n in range(15):
        published = start + timedelta(days=2 * n)
        payload = post_payload(page_id=500 + n, published=published.isoformat())
        ActivityPubTransport().deliver(outbound("Create", payload))
        expected.append((published, ids.object_id(f"page:{500 + n}")))
    for n in range(10):
        note = _note(blog, start + timedelta(days=2 * n + 1), n)
        expected.append((note.published, note.uri))
    expected_ids = [uri for _, uri in sorted(expected, reverse=True)]

    outbox = client.get("/ap/users/blog/outbox", HTTP_ACCEPT=AP).json()
    assert outbox["totalItems"] == 25 and outbox["last"].endswith("?page=2")
    first = _get(client, outbox["first"])
    second = _get(client, first["next"])
    assert len(first["orderedItems"]) == 20 and len(second["orderedItems"]) == 5
    assert "next" not in second and second["prev"].endswith("?page=1")
    served = [create["object"]["id"] for create in first["orderedItems"] + second["orderedItems"]]
    assert served == expected_ids
    assert {create["type"] for create in first["orderedItems"]} == {"Create"}


def test_outbox_note_only_in_its_own_actors_outbox(client):
    ActivityPubTransport().deliver(outbound("Create", post_payload()))  # creates the author actor "ada"
    ada = f.local_actor("ada")
    note = _note(ada, timezone.now(), 99)
    ada_page = _get(client, client.get("/ap/users/ada/outbox", HTTP_ACCEPT=AP).json()["first"])
    blog_page = _get(client, client.get("/ap/users/blog/outbox", HTTP_ACCEPT=AP).json()["first"])
    assert ada_page["orderedItems"][0]["object"]["id"] == note.uri
    assert ada_page["orderedItems"][0]["actor"] == ids.actor_id("ada")
    assert note.uri not in [create["object"]["id"] for create in blog_page["orderedItems"]]
