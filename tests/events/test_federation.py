"""Events on the fediverse: an EventPage federates as an ActivityPub Event by @events, through the DAG."""

import json
import threading
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.utils import timezone

from events import bookings, models, tickets
from events.pages import EventIndexPage, EventPage
from home.demo import home_page_ensure
from home.services import sites_sync_from_settings
from social.federation import ids
from social.federation.actors import local_actor_get
from social.federation.models import Activity, Delivery, FederatedObject, Follow, RemoteActor
from social.models import Flow
from tests.factories import events as f

pytestmark = pytest.mark.django_db


class Inbox:
    """A remote server's shared inbox on 127.0.0.1 that accepts every POST and keeps the bodies."""

    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
                self.send_response(202)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/inbox"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def inbox():
    server = Inbox()
    yield server
    server.close()


@pytest.fixture
def events_follower(inbox):
    remote = RemoteActor.objects.create(
        uri="http://127.0.0.1/users/mo", domain="127.0.0.1", inbox=inbox.url, shared_inbox=inbox.url
    )
    return Follow.objects.create(
        local_actor=local_actor_get("events"), remote_actor=remote, state=Follow.State.ACCEPTED
    )


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    def run(action, *args):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args)

    return run


@pytest.fixture
def workshop_page(otto):
    calendar = f.organiser_calendar("Otto's workshops", otto, venue="1 Mill Lane, Hebden Bridge")
    event = f.event(
        calendar,
        "Repair café",
        start=f.local(2, 18),
        end=f.local(2, 20),
        frequency="WEEKLY",
        location="The back room",
        time_zone="Europe/London",
    )
    f.ticket_type(event, name="Free place", quota=12)
    f.ticket_type(event, name="Supporter", quota=5, price="10.00")
    home = home_page_ensure()
    sites_sync_from_settings()  # a database flushed by a transactional test has lost its Site rows
    index = home.add_child(instance=EventIndexPage(title="What's on", slug="whats-on-fed"))
    page = EventPage(title="Repair café", slug="repair-cafe", event=event, intro="Bring what is broken.")
    index.add_child(instance=page)
    page.save_revision()  # a draft: nothing federates until it is published
    return page


def _publish(page):
    page.save_revision().publish()
    page.refresh_from_db()


def test_event_page_payload_names_event_type_actor_dates_place_and_capacity(workshop_page):
    payload = workshop_page.federation_payload()
    event = workshop_page.event
    assert (payload["object_type"], payload["actor"]) == ("Event", "events")
    # the next date of the weekly series, in the event's own zone
    assert datetime.fromisoformat(payload["start_time"]) == event.start
    assert payload["location"] == {"name": "The back room", "address": "1 Mill Lane, Hebden Bridge"}
    assert (payload["join_mode"], payload["maximum_attendee_capacity"]) == ("external", 17)
    assert payload["summary"] == "Bring what is broken." and payload["is_private"] is False


def test_event_page_unpublished_scheduler_event_is_private(workshop_page):
    detail = workshop_page.event.detail
    detail.published = False
    detail.save()
    assert workshop_page.federation_payload()["is_private"] is True


def test_publish_event_page_flows_to_event_object_delivered_to_events_follower(
    workshop_page, events_follower, inbox, run_on_commit
):
    run_on_commit(_publish, workshop_page)
    key = f"page:{workshop_page.pk}"
    flow = Flow.objects.get(object_key=key)
    assert (flow.behavior, flow.status) == ("publish", "succeeded")
    activity = Activity.objects.get(activity_type="Create", object__object_key=key)
    events_actor = ids.actor_id("events")
    assert activity.data["actor"] == events_actor
    [delivery] = Delivery.objects.filter(activity=activity)
    assert delivery.inbox == inbox.url and delivery.state == Delivery.State.DELIVERED

    # The object as the follower received it: a Mobilizon-readable Event attributed to @events.
    [create] = inbox.received
    event = create["object"]
    start = workshop_page.event.start
    assert create["type"] == "Create" and create["actor"] == events_actor
    assert event["type"] == "Event" and event["id"] == ids.object_id(key)
    assert event["name"] == "Repair café" and event["attributedTo"] == events_actor
    assert datetime.fromisoformat(event["startTime"]) == start
    assert datetime.fromisoformat(event["endTime"]) == start + timedelta(hours=2)
    assert event["timezone"] == "Europe/London"
    assert event["location"] == {
        "type": "Place",
        "name": "The back room",
        "address": {"type": "PostalAddress", "streetAddress": "1 Mill Lane, Hebden Bridge"},
    }
    assert event["joinMode"] == "external" and event["externalParticipationUrl"] == event["url"]
    assert event["maximumAttendeeCapacity"] == 17
    assert event["cc"] == [ids.actor_collection("events", "followers")]
    assert "joinMode" in create["@context"][1]
    assert FederatedObject.objects.get(object_key=key).object_type == "Event"

    # Changing the event and publishing again is an Update; unpublishing it (cancelling) is a Delete.
    tickets.ticket_type_create(event=workshop_page.event, name="Helper", quota=3)
    workshop_page.title = "Repair café (bigger room)"
    run_on_commit(_publish, workshop_page)
    run_on_commit(workshop_page.unpublish)
    update, delete = inbox.received[1:]
    assert update["type"] == "Update" and update["object"]["maximumAttendeeCapacity"] == 20
    assert update["object"]["name"] == "Repair café (bigger room)"
    assert delete["type"] == "Delete" and delete["actor"] == events_actor
    assert delete["object"]["type"] == "Tombstone" and delete["object"]["formerType"] == "Event"


# --- Update on change, Delete on cancellation --------------------------------------------------------


def _stamp(moment: datetime) -> int:
    return int(moment.timestamp())


def _flows(page, behavior: str):
    return list(Flow.objects.filter(object_key=f"page:{page.pk}", behavior=behavior))


@pytest.fixture
def federated_page(workshop_page, events_follower, inbox, run_on_commit):
    run_on_commit(_publish, workshop_page)
    assert [a["type"] for a in inbox.received] == ["Create"]
    return workshop_page


def test_ticket_type_added_in_organiser_page_sends_update_with_new_capacity(
    federated_page, otto, client, inbox, django_capture_on_commit_callbacks
):
    client.force_login(otto)
    event = federated_page.event
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/events/manage/{event.pk}/", {"name": "Helper", "price": "0", "quota": "3"})
    assert response.status_code == 302
    [flow] = _flows(federated_page, "update")
    assert (flow.event, flow.status) == ("changed", "succeeded")
    assert flow.revision_id == federated_page.live_revision_id  # what the page shows, as a re-publish
    create, update = inbox.received
    assert update["type"] == "Update" and update["object"]["id"] == create["object"]["id"]
    assert update["object"]["maximumAttendeeCapacity"] == 20
    # Newer than the publish, so remote servers take it over the copy they hold.
    assert datetime.fromisoformat(update["object"]["updated"]) > datetime.fromisoformat(
        create["object"]["updated"]
    )


def test_occurrence_cancelled_then_series_moved_each_send_an_update_with_the_next_date(
    federated_page, otto, client, inbox, django_capture_on_commit_callbacks
):
    client.force_login(otto)
    event = federated_page.event
    first = event.start
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/events/o/{event.pk}/{_stamp(first)}/cancel/")
    # The next date is now the week after the cancelled one.
    assert datetime.fromisoformat(inbox.received[-1]["object"]["startTime"]) == first + timedelta(days=7)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/events/api/move_or_resize/", {"event_id": event.pk, "delta": "60", "existed": "false"}
        )
    assert response.json() == {"status": "OK"}
    assert [a["type"] for a in inbox.received] == ["Create", "Update", "Update"]
    start = datetime.fromisoformat(inbox.received[-1]["object"]["startTime"])
    # The cancelled date moved with the series and stays cancelled: the next is still a week on.
    assert start == first + timedelta(days=7, hours=1)
    assert [f.event for f in _flows(federated_page, "update")] == ["changed", "changed"]


def test_occurrence_cancelled_through_scheduler_view_sends_update_only_for_organiser(
    federated_page, otto, olga, client, inbox, django_capture_on_commit_callbacks
):
    event = federated_page.event
    start = timezone.localtime(event.start)
    url = f"/events/occurrence/cancel/{event.pk}/{start:%Y/%m/%d/%H/%M/%S}/"
    client.force_login(olga)  # django-scheduler refuses her with a redirect to the login page
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    assert not _flows(federated_page, "update")
    client.force_login(otto)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    [flow] = _flows(federated_page, "update")
    assert flow.event == "changed"
    next_start = datetime.fromisoformat(inbox.received[-1]["object"]["startTime"])
    assert next_start == event.start + timedelta(days=7)


def test_occurrence_cancelled_through_scheduler_view_cancels_its_bookings_once(
    federated_page, otto, sam, client, mailoutbox, django_capture_on_commit_callbacks
):
    event = federated_page.event
    free = event.ticket_types.get(name="Free place")
    cancelled = bookings.booking_create_free(ticket_type=free, original_start=event.start, user=sam)
    next_week = bookings.booking_create_free(
        ticket_type=free, original_start=event.start + timedelta(days=7), user=sam
    )
    start = timezone.localtime(event.start)
    url = f"/events/occurrence/cancel/{event.pk}/{start:%Y/%m/%d/%H/%M/%S}/"
    client.force_login(otto)
    mailoutbox.clear()
    for _ in range(2):  # the second POST finds nothing left to cancel
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url).status_code == 302
    cancelled.refresh_from_db()
    next_week.refresh_from_db()
    assert (cancelled.state, next_week.is_open) == ("cancelled", True)
    [email] = mailoutbox
    assert email.to == ["sam@example.org"] and cancelled.code in email.body


def test_change_to_event_whose_page_never_federated_starts_no_flow(
    workshop_page, otto, client, django_capture_on_commit_callbacks
):
    # The page never federated (never published): a change does not create the page's object (the event
    # goes out as itself instead, see tests/events/test_federation_sources.py).
    client.force_login(otto)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/events/manage/{workshop_page.event.pk}/", {"name": "Helper", "price": "0", "quota": "3"}
        )
    assert not Flow.objects.filter(object_key=f"page:{workshop_page.pk}").exists()


def test_event_cancel_by_someone_else_forbidden_and_changes_nothing(federated_page, olga, client):
    client.force_login(olga)
    url = f"/events/manage/{federated_page.event.pk}/cancel/"
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    federated_page.event.detail.refresh_from_db()
    assert not federated_page.event.detail.is_cancelled and not _flows(federated_page, "delete")


def test_event_cancel_confirmed_marks_page_tells_holders_refuses_bookings_and_sends_delete(
    federated_page, otto, sam, staff, client, inbox, mailoutbox, django_capture_on_commit_callbacks
):
    event = federated_page.event
    free = event.ticket_types.get(name="Free place")
    booking = bookings.booking_create_free(ticket_type=free, original_start=event.start, user=sam)
    client.force_login(otto)
    url = f"/events/manage/{event.pk}/cancel/"
    confirm = client.get(url)
    assert confirm.status_code == 200 and "1 ticket holder will be emailed" in confirm.content.decode()
    assert not _flows(federated_page, "delete")  # asking is not doing

    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url).status_code == 302
    booking.refresh_from_db()
    assert booking.state == "cancelled"
    [email] = mailoutbox
    assert email.to == ["sam@example.org"] and booking.code in email.body
    assert email.subject.startswith("Cancelled: Repair café")

    [flow] = _flows(federated_page, "delete")
    assert (flow.event, flow.status) == ("cancelled", "succeeded")
    [cancellation] = Flow.objects.filter(behavior="event_cancellation", object_key=f"event:{event.pk}")
    assert cancellation.path == ["call_off", "tickets?", "tell", "federate"]  # a free ticket: no refund
    delete = inbox.received[-1]
    assert delete["type"] == "Delete" and delete["object"]["type"] == "Tombstone"
    assert delete["object"]["formerType"] == "Event"
    assert FederatedObject.all_objects.get(object_key=f"page:{federated_page.pk}").state == "none"

    # The page stays up and says so; no one can book any more.
    page = client.get(federated_page.url)
    assert page.status_code == 200 and "event-cancelled" in page.content.decode()
    assert "STATUS:CANCELLED" in client.get(f"/events/e/{event.pk}.ics").content.decode()
    with pytest.raises(models.BookingRefused, match="cancelled"):
        bookings.booking_create_free(ticket_type=free, original_start=event.start, user=staff)
    # A second cancellation (by staff, who may) is refused without a second Delete.
    client.force_login(staff)
    assert client.post(url).status_code == 302
    assert len(_flows(federated_page, "delete")) == 1

    # An editor publishing the page again does not bring the cancelled event back to the fediverse.
    received = len(inbox.received)
    with django_capture_on_commit_callbacks(execute=True):
        _publish(federated_page)
    assert len(inbox.received) == received
    assert federated_page.federation_payload()["status"] == "CANCELLED"
