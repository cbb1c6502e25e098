"""Every public event federates from @events, however it was made; remote people Join and Leave it.

Over real HTTP: our deliveries reach a fake remote server of ours on 127.0.0.1 (which verifies our
signatures), and its signed Join/Leave come to our inbox, whose processing fetches its actor from it.
"""

import json
from urllib.parse import urlsplit

import pytest
import requests
from schedule.models import Calendar, Event

from events.models import EventDetail
from events.pages import EventIndexPage, EventPage
from home.demo import home_page_ensure
from home.services import sites_sync_from_settings
from social.federation import ids
from social.federation.actors import local_actor_get
from social.federation.models import FederatedObject, Follow, InboxItem, Reaction, RemoteActor
from social.models import Flow
from tests.factories import events as f
from tests.security.outbound_guard import outbound_guard_fixture  # noqa: F401
from tests.social.federation.fake_remote import FakeRemote

pytestmark = pytest.mark.django_db


def _follow_events(remote: FakeRemote, name: str) -> RemoteActor:
    actor = RemoteActor.objects.create(
        uri=remote.actor_uri(name),
        domain=f"127.0.0.1:{remote.port}",
        username=name,
        inbox=f"{remote.actor_uri(name)}/inbox",
        shared_inbox=f"{remote.base}/inbox",
        public_key_pem=remote.public_pem,
    )
    Follow.objects.create(
        local_actor=local_actor_get("events"), remote_actor=actor, state=Follow.State.ACCEPTED
    )
    return actor


@pytest.fixture
def remote():
    """A fake remote whose alice and bob follow @events through one shared inbox; it trusts @events'
    key, so our signed POSTs verify without our site being served."""
    with FakeRemote() as server:
        events = local_actor_get("events")
        server.trust(ids.actor_key_id("events"), ids.actor_id("events"), events.public_key_pem)
        _follow_events(server, "alice")
        _follow_events(server, "bob")
        yield server


@pytest.fixture
def organiser(client, otto):
    f.organiser_calendar("Otto's workshops", otto, venue="1 Mill Lane")
    client.force_login(otto)
    return client


def _create_event(client, committed) -> int:
    """Otto makes a published one-off event with free places in the organiser's form; its id."""
    calendar = Calendar.objects.get(name="Otto's workshops").pk
    start, end = f.local(3, 18), f.local(3, 20)
    response = committed(
        client.post,
        "/events/manage/new/",
        {
            "calendar": calendar,
            "title": "Repair café",
            "description": "Bring what is broken.",
            "location": "The back room",
            "start": start.strftime("%Y-%m-%dT%H:%M"),
            "end": end.strftime("%Y-%m-%dT%H:%M"),
            "time_zone": "Europe/London",
            "published": "on",
            "ticket_name": "Free place",
            "ticket_price": "0",
            "ticket_quota": "12",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return int(response["Location"].rstrip("/").rsplit("/", 1)[1])


def _types(remote: FakeRemote) -> list[str]:
    return [received["activity"]["type"] for received in remote.received]


def test_organiser_event_created_changed_cancelled_reaches_events_followers_once_per_shared_inbox(
    organiser, committed, remote
):
    event_id = _create_event(organiser, committed)
    key = f"event:{event_id}"
    [flow] = Flow.objects.filter(object_key=key)
    assert (flow.behavior, flow.event, flow.status) == ("publish", "published", "succeeded")
    # alice and bob share one inbox: the Create arrives there once, signed by @events.
    [create] = remote.received
    assert create["path"] == "/inbox"
    activity = create["activity"]
    event = activity["object"]
    assert activity["type"] == "Create" and activity["actor"] == ids.actor_id("events")
    assert (event["type"], event["id"], event["name"]) == ("Event", ids.object_id(key), "Repair café")
    assert event["attributedTo"] == ids.actor_id("events") and event["timezone"] == "Europe/London"
    assert event["location"]["name"] == "The back room" and event["maximumAttendeeCapacity"] == 12
    assert f"/events/o/{event_id}/" in event["url"]  # its next date's page, where it is booked

    # A second ticket type changes the capacity: one Update of the same object.
    committed(
        organiser.post, f"/events/manage/{event_id}/", {"name": "Supporter", "price": "0", "quota": "3"}
    )
    assert _types(remote) == ["Create", "Update"]
    update = remote.received[1]["activity"]
    assert update["object"]["id"] == event["id"] and update["object"]["maximumAttendeeCapacity"] == 15

    # Cancelling it sends a Delete (a Tombstone of the Event); it never comes back on its own.
    response = committed(organiser.post, f"/events/manage/{event_id}/cancel/")
    assert response.status_code == 302
    assert _types(remote) == ["Create", "Update", "Delete"]
    tombstone = remote.received[2]["activity"]["object"]
    assert (tombstone["type"], tombstone["formerType"], tombstone["id"]) == (
        "Tombstone",
        "Event",
        event["id"],
    )
    assert FederatedObject.all_objects.get(object_key=key).state == "none"
    committed(organiser.post, f"/events/manage/{event_id}/", {"name": "Late", "price": "0", "quota": "1"})
    assert _types(remote) == ["Create", "Update", "Delete"]
    # The cancellation is a flow of the same object, and its `federate` step is what sent the Delete.
    assert [flow.behavior for flow in Flow.objects.filter(object_key=key).order_by("id")] == [
        "publish",
        "update",
        "event_cancellation",
        "delete",
    ]


def test_unpublished_event_federates_only_once_published_and_leaves_when_unpublished(
    organiser, otto, committed, remote
):
    calendar = f.organiser_calendar("Otto's drafts", otto)
    event = committed(
        f.event, calendar, "Quiet planning", start=f.local(4, 10), end=f.local(4, 11), published=False
    )
    assert not Flow.objects.filter(object_key=f"event:{event.pk}").exists() and remote.received == []
    detail = EventDetail.objects.get(event=event)
    detail.published = True
    committed(detail.save)  # as the admin (or any form) would: the row's save is what is reported
    assert _types(remote) == ["Create"]
    detail.published = False
    committed(detail.save)
    assert _types(remote) == ["Create", "Delete"]
    assert (
        Flow.objects.filter(object_key=f"event:{event.pk}", behavior="delete").get().event == "made private"
    )


def test_event_deleted_in_django_schedulers_own_view_sends_delete(organiser, committed, remote):
    event_id = _create_event(organiser, committed)
    response = committed(organiser.post, f"/events/event/delete/{event_id}/")
    assert response.status_code == 302 and not Event.objects.filter(pk=event_id).exists()
    assert _types(remote) == ["Create", "Delete"]
    assert remote.received[1]["activity"]["object"]["id"] == ids.object_id(f"event:{event_id}")


def _event_page(event_id: int) -> EventPage:
    home = home_page_ensure()
    sites_sync_from_settings()
    index = home.add_child(instance=EventIndexPage(title="What's on", slug="whats-on-sources"))
    page = EventPage(title="Repair café", slug="repair-cafe", intro="Fix it together.")
    page.event = Event.objects.get(pk=event_id)
    index.add_child(instance=page)
    return page


def test_event_page_publish_for_a_federated_event_updates_the_same_object(organiser, committed, remote):
    event_id = _create_event(organiser, committed)
    page = _event_page(event_id)
    committed(page.save_revision().publish)
    # The page took over the event's object: an Update of it, with the page's words; no second object.
    assert _types(remote) == ["Create", "Update"]
    create, update = (received["activity"] for received in remote.received)
    assert update["object"]["id"] == create["object"]["id"] == ids.object_id(f"event:{event_id}")
    assert update["object"]["summary"] == "Fix it together."
    assert not FederatedObject.all_objects.filter(object_key=f"page:{page.pk}").exists()
    assert FederatedObject.objects.filter(object_type="Event").count() == 1
    # A later change goes through the page, to the same object.
    committed(
        organiser.post, f"/events/manage/{event_id}/", {"name": "Supporter", "price": "0", "quota": "3"}
    )
    assert _types(remote) == ["Create", "Update", "Update"]
    assert remote.received[2]["activity"]["object"]["id"] == create["object"]["id"]


# --- Join and Leave ------------------------------------------------------------------------------------


@pytest.fixture
def signed_post(client, settings):
    def post(remote, activity, *, name="alice", path="/ap/inbox"):
        body = json.dumps(activity).encode()
        signed = remote.signed_headers(settings.SITE_URL + path, body, name=name)
        content_type = signed.pop("Content-Type")
        return client.generic("POST", path, body, content_type=content_type, headers=signed)

    return post


def _interest(client, page) -> str:
    html = client.get(page.url).content.decode()
    return (
        html.split('class="fediverse-interested">', 1)[1].split("<", 1)[0]
        if "fediverse-interested" in html
        else ""
    )


def test_remote_join_shows_as_interest_on_the_event_page_once_and_leave_removes_it(
    organiser, committed, remote, signed_post, client
):
    event_id = _create_event(organiser, committed)
    page = _event_page(event_id)
    committed(page.save_revision().publish)
    page.refresh_from_db()
    event_uri = ids.object_id(f"event:{event_id}")
    assert _interest(client, page) == ""

    join = remote.activity("Join", event_uri)
    for _ in range(2):  # a duplicate Join (a retried delivery) counts once
        assert committed(signed_post, remote, join).status_code == 202
    assert (
        committed(signed_post, remote, remote.activity("Join", event_uri, name="bob"), name="bob").status_code
        == 202
    )
    assert _interest(client, page) == "2 people on the fediverse are interested."
    assert Reaction.objects.filter(kind="join").count() == 2  # interest, never a booking
    assert not page.event.ticket_types.filter(bookings__isnull=False).exists()

    assert committed(signed_post, remote, remote.activity("Leave", event_uri)).status_code == 202
    assert _interest(client, page) == "1 person on the fediverse is interested."
    assert InboxItem.objects.filter(activity_type="Leave").get().state == "processed"


def test_remote_join_is_accepted_once_by_events_as_mobilizon_expects(
    organiser, committed, remote, signed_post
):
    event_id = _create_event(organiser, committed)
    event_uri = ids.object_id(f"event:{event_id}")
    join = remote.activity("Join", event_uri)
    for _ in range(2):  # a retried delivery of the same Join is answered once
        assert committed(signed_post, remote, join).status_code == 202
    accepts = [received for received in remote.received if received["activity"]["type"] == "Accept"]
    [accept] = accepts
    assert accept["path"] == "/users/alice/inbox"  # the joiner's own inbox: it is addressed to them
    activity = accept["activity"]
    assert activity["actor"] == ids.actor_id("events") and activity["to"] == [remote.actor_uri("alice")]
    assert activity["object"]["id"] == join["id"] and activity["object"]["type"] == "Join"
    assert activity["object"]["object"] == event_uri


def test_join_from_unverified_or_other_origin_actor_is_refused(
    organiser, committed, remote, signed_post, client
):
    event_id = _create_event(organiser, committed)
    page = _event_page(event_id)
    committed(page.save_revision().publish)
    page.refresh_from_db()
    event_uri = ids.object_id(f"event:{event_id}")
    join = remote.activity("Join", event_uri)

    # Unsigned.
    unsigned = committed(client.post, "/ap/inbox", json.dumps(join), content_type="application/activity+json")
    assert unsigned.status_code == 401
    # Signed by alice's key, but claiming an actor of another server.
    with FakeRemote() as other:
        forged = {**join, "actor": other.actor_uri("alice")}
        assert committed(signed_post, remote, forged).status_code == 401
        # The actor's own key, but the activity's id on another server than the actor's.
        squatted = {**other.activity("Join", event_uri), "id": f"{remote.base}/activities/x"}
        assert committed(signed_post, other, squatted).status_code == 403
    assert not Reaction.objects.filter(kind="join").exists()
    assert _interest(client, page) == ""


def test_join_of_an_event_without_page_shows_on_its_date_page(
    organiser, committed, remote, signed_post, client
):
    event_id = _create_event(organiser, committed)
    key = f"event:{event_id}"
    date_page = urlsplit(FederatedObject.objects.get(object_key=key).url).path  # the object's url
    join = remote.activity("Join", ids.object_id(key))
    assert committed(signed_post, remote, join).status_code == 202
    html = client.get(date_page).content.decode()
    assert "1 person on the fediverse is interested." in html


def test_seed_data_federates_each_public_event_once(committed):
    from accounts.demo import seed as seed_accounts
    from events.demo import seed
    from home.demo import seed as seed_home

    seed_accounts()
    seed_home()
    committed(seed)
    committed(seed)  # a second run changes nothing, so it tells the fediverse nothing
    events = list(Event.objects.values_list("pk", flat=True))
    creates = Flow.objects.filter(behavior="publish", status="succeeded")
    assert len(events) == 4 and sorted(creates.values_list("object_key", flat=True)) == sorted(
        f"event:{pk}" for pk in events
    )
    # Beside the four publishes, the market's cancelled date ran its one cancellation flow (not twice).
    assert list(Flow.objects.exclude(behavior="publish").values_list("behavior", flat=True)) == [
        "occurrence_cancellation"
    ]
    assert Flow.objects.count() == 5 and FederatedObject.objects.filter(object_type="Event").count() == 4


@pytest.mark.django_db(transaction=True)
def test_join_and_leave_over_real_http_change_the_interest_on_the_date_page(live_server, settings, otto):
    """Both sides on real ports: the remote signs and POSTs to our inbox, we fetch its key from it."""
    settings.SITE_URL = live_server.url
    settings.SITE_HOST = live_server.url.split("//")[1]
    calendar = f.organiser_calendar("Otto's workshops", otto)
    event = f.event(calendar, "Repair café", start=f.local(3, 18), end=f.local(3, 20))  # commits: federates
    obj = FederatedObject.objects.get(object_key=f"event:{event.pk}")
    with FakeRemote() as remote:
        join = remote.activity("Join", obj.data["id"])
        assert remote.send(f"{live_server.url}/ap/inbox", join).status_code == 202
        assert "1 person on the fediverse is interested." in requests.get(obj.url, timeout=10).text
        leave = remote.activity("Leave", obj.data["id"])
        assert remote.send(f"{live_server.url}/ap/inbox", leave).status_code == 202
        assert "fediverse-interested" not in requests.get(obj.url, timeout=10).text
        forged = {**remote.activity("Join", obj.data["id"]), "actor": "http://127.0.0.1:9/users/mallory"}
        assert remote.send(f"{live_server.url}/ap/inbox", forged).status_code == 401
    assert not Reaction.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_organiser_event_goes_out_only_after_the_request_commits(client, otto, outbound_guard):
    """ATOMIC_REQUESTS wraps the organiser's request: the report, the flow and the POST all wait for it."""
    with FakeRemote() as remote:
        events = local_actor_get("events")
        remote.trust(ids.actor_key_id("events"), ids.actor_id("events"), events.public_key_pem)
        _follow_events(remote, "alice")
        f.organiser_calendar("Otto's workshops", otto)
        client.force_login(otto)
        _create_event(client, lambda action, *args, **kwargs: action(*args, **kwargs))  # real commits
        remote.wait_for(lambda activity: activity["type"] == "Create")
    outbound_guard.assert_clean("connect")
