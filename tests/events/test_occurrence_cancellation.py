"""Cancelling one date of a recurring event is the occurrence_cancellation behavior, in the flow log:
once per (event, date), that date's bookings only, each holder told once, the event's Update sent."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from schedule.models import Occurrence

from accounts.models import User
from events import bookings, cancellation
from events.models import Booking
from social.models import Flow, FlowEffect
from tests.concurrency import at_once, raised
from tests.factories import events as f

pytestmark = pytest.mark.django_db
FREE_PATH = ["validate", "call_off", "tickets?", "tell", "federate"]


@pytest.fixture
def meetup(otto_calendar):
    return f.event(otto_calendar, "Meetup", start=f.local(2, 18), end=f.local(2, 20), frequency="WEEKLY")


@pytest.fixture
def booked(meetup, sam, olga):
    """Sam and Olga on the first date, Sam again the week after."""
    free = f.ticket_type(meetup, quota=5)
    first, next_week = meetup.start, meetup.start + timedelta(days=7)
    held = {
        "sam": bookings.booking_create_free(ticket_type=free, original_start=first, user=sam),
        "olga": bookings.booking_create_free(ticket_type=free, original_start=first, user=olga),
        "next_week": bookings.booking_create_free(ticket_type=free, original_start=next_week, user=sam),
    }
    mail.outbox.clear()
    return held


@pytest.fixture
def boss(db):
    return User.objects.create_superuser(email="boss@example.org", password="x")


def _date_flows(event, start):
    return Flow.objects.filter(
        behavior="occurrence_cancellation", object_key=f"event:{event.pk}:{int(start.timestamp())}"
    )


def _cancelled_mails() -> list[str]:
    return sorted(m.to[0] for m in mail.outbox if m.subject.startswith("Cancelled"))


def test_date_cancelled_by_two_clicks_runs_one_flow_for_that_date_only(
    client, meetup, otto, booked, django_capture_on_commit_callbacks
):
    client.force_login(otto)
    url = f"/events/o/{meetup.pk}/{int(meetup.start.timestamp())}/cancel/"
    for _ in range(2):  # a double click: the second request finds the date's flow done
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url).status_code == 302

    [flow] = _date_flows(meetup, meetup.start)
    assert (flow.status, flow.path) == ("succeeded", FREE_PATH)
    key = f"event-{meetup.pk}-{int(meetup.start.timestamp())}"
    called_off = FlowEffect.objects.get(idempotency_key=f"perform:occurrence_bookings_call_off:{key}")
    assert sorted(called_off.result["cancelled"]) == sorted([booked["sam"].pk, booked["olga"].pk])
    assert called_off.result["paid"] == []
    assert FlowEffect.objects.get(idempotency_key=f"perform:occurrence_holders_tell:{key}").result == {
        "told": 2
    }
    for name in ("sam", "olga", "next_week"):
        booked[name].refresh_from_db()
    assert (booked["sam"].state, booked["olga"].state) == ("cancelled", "cancelled")
    assert booked["next_week"].is_open and booked["next_week"].cancelled_at is None
    assert _cancelled_mails() == ["olga@example.org", "sam@example.org"]
    assert Occurrence.objects.filter(event=meetup, original_start=meetup.start, cancelled=True).count() == 1
    # The other date has no flow; cancelling it later is a flow of its own.
    assert not _date_flows(meetup, meetup.start + timedelta(days=7)).exists()


def test_date_cancellation_shows_in_the_flow_log_and_on_its_bookings_row_page(
    client, meetup, booked, boss, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cancellation.occurrence_cancel(event=meetup, original_start=meetup.start)
    [flow] = _date_flows(meetup, meetup.start)
    client.force_login(boss)

    listing = client.get(f"/admin/flows/?object=event:{meetup.pk}").content.decode()
    assert f'<a href="/admin/flows/{flow.pk}/">' in listing
    page = client.get(f"/admin/flows/{flow.pk}/").content.decode()
    for name in FREE_PATH:
        assert f'id="step-{name}"' in page
    assert "cancel every booking held for this date only" in page
    # The booking's row on the State machines page links the flow that cancelled it.
    row = client.get(f"/admin/state-machines/events.booking/{booked['sam'].pk}/").content.decode()
    assert f'href="/admin/flows/{flow.pk}/"' in row and "occurrence_cancellation (succeeded)" in row
    untouched = client.get(f"/admin/state-machines/events.booking/{booked['next_week'].pk}/").content.decode()
    assert f'href="/admin/flows/{flow.pk}/"' not in untouched


def test_date_of_a_cancelled_event_is_refused_and_says_why(
    meetup, otto, booked, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        cancellation.event_cancel(event=meetup, by_user=otto)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancellation.occurrence_cancel(event=meetup, original_start=meetup.start + timedelta(days=7))

    [flow] = _date_flows(meetup, meetup.start + timedelta(days=7))
    assert (flow.status, flow.path) == ("refused", ["validate"])
    assert "whole event is cancelled" in flow.steps.get(name="validate").note
    assert mail.outbox == []


def test_date_cancelled_through_the_scheduler_view_twice_has_one_flow(
    client, meetup, otto, booked, django_capture_on_commit_callbacks
):
    start = timezone.localtime(meetup.start)
    url = f"/events/occurrence/cancel/{meetup.pk}/{start:%Y/%m/%d/%H/%M/%S}/"
    client.force_login(otto)
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            assert client.post(url).status_code == 302
    [flow] = _date_flows(meetup, meetup.start)
    assert (flow.status, flow.path) == ("succeeded", FREE_PATH)
    assert _cancelled_mails() == ["olga@example.org", "sam@example.org"]


@pytest.mark.skipif(
    not settings.USING_POSTGRES, reason="row locks need PostgreSQL; SQLite serialises writers"
)
@pytest.mark.django_db(transaction=True)
def test_date_cancelled_by_two_requests_at_once_cancels_once(otto_calendar, sam, olga):
    meetup = f.event(otto_calendar, "Meetup", start=f.local(2, 18), end=f.local(2, 20), frequency="WEEKLY")
    free = f.ticket_type(meetup, quota=5)
    for person in (sam, olga):
        bookings.booking_create_free(ticket_type=free, original_start=meetup.start, user=person)
    mail.outbox.clear()

    def cancel():
        cancellation.occurrence_cancel(event=meetup, original_start=meetup.start)

    assert raised(at_once(cancel, cancel)) == []
    [flow] = _date_flows(meetup, meetup.start)
    assert (flow.status, flow.path) == ("succeeded", FREE_PATH)
    assert Occurrence.objects.filter(event=meetup, original_start=meetup.start).count() == 1
    assert set(Booking.objects.values_list("state", flat=True)) == {"cancelled"}
    assert _cancelled_mails() == ["olga@example.org", "sam@example.org"]
    assert (
        FlowEffect.objects.filter(idempotency_key__startswith="perform:occurrence_holders_tell:").count() == 1
    )
