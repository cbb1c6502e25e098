"""Bookings on the one runner: the ticket email is the `issuing` state's work, sent once after commit
(a worker killed mid-send resends the same message), and check-in and cancellation are the graph's
conditional moves, so two doors scanning one ticket at once admit it once."""

import socket
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from durable import runner
from durable.claim import claim_due
from events import bookings, check_in
from events.models import Booking, BookingGraph, BookingRefused
from tests.concurrency import at_once
from tests.factories import events as f

pytestmark = pytest.mark.django_db

ISSUING = BookingGraph.issuing


@pytest.fixture
def places(otto_calendar):
    return f.ticket_type(f.weekly_meetup(otto_calendar), quota=5)


def _book(places, person):
    """A booking whose ticket email has not gone yet: the task queued on commit was lost (or not run)."""
    return bookings.booking_create_free(ticket_type=places, original_start=places.event.start, user=person)


def _worker_took_it(booking, now):
    """What a worker holds once the sweep leased the row: the row as loaded after its claim."""
    assert claim_due(Booking, [ISSUING.name], 10, ISSUING.timeout, now=now) == [booking.pk]
    return Booking.objects.get(pk=booking.pk)


def _after_the_lease(now):
    return now + timedelta(seconds=ISSUING.timeout + 1)


def test_ticket_email_whose_task_was_lost_is_sent_by_the_sweep_once(places, sam):
    booking = _book(places, sam)
    assert Booking.objects.get(pk=booking.pk).state == "issuing" and mail.outbox == []

    assert runner.run_due(Booking) == {"confirmed": 1}
    assert runner.run_due(Booking) == {}  # a duplicate task or a second sweep finds nothing to do
    runner.advance(Booking, booking.pk)

    [ticket] = mail.outbox
    booking.refresh_from_db()
    assert booking.state == "confirmed" and booking.ticket_mailed_at is not None
    assert ticket.extra_headers["Message-ID"] == booking.ticket_mail_id and booking.code in ticket.body


def test_worker_killed_after_recording_the_send_moves_on_without_mailing_again(places, sam):
    booking = _book(places, sam)
    now = timezone.now()
    # The handler ran to its end, and the worker died before the runner recorded the move.
    assert _worker_took_it(booking, now).ticket_issue(now=now) == "confirmed"
    assert Booking.objects.get(pk=booking.pk).state == "issuing"

    assert runner.run_due(Booking, now=_after_the_lease(now)) == {"confirmed": 1}
    assert len(mail.outbox) == 1


def test_worker_killed_between_send_and_record_resends_under_the_same_message_id(places, sam):
    booking = _book(places, sam)
    now = timezone.now()
    _worker_took_it(booking, now).ticket_issue(now=now)
    # As the row stands when the worker died right after SMTP accepted the message: the Message-ID
    # was recorded before the send, the send itself never was.
    Booking.objects.filter(pk=booking.pk).update(ticket_mailed_at=None)

    assert runner.run_due(Booking, now=_after_the_lease(now)) == {"confirmed": 1}
    first, again = mail.outbox
    booking.refresh_from_db()
    # One message to the attendee's mail client, which folds a resent Message-ID into the first.
    assert first.extra_headers["Message-ID"] == again.extra_headers["Message-ID"] == booking.ticket_mail_id
    assert first.body == again.body


@pytest.fixture
def smtp_refusing(settings):
    """A mail server that is down: nothing listens on the port the site sends to."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, 2
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False


def test_mail_server_down_retries_later_and_keeps_the_place_after_the_last_try(places, sam, smtp_refusing):
    booking = _book(places, sam)
    now = timezone.now()

    assert runner.run_due(Booking, now=now) == {"issuing": 1}
    booking.refresh_from_db()
    assert (
        booking.state == "issuing" and booking.due_at > now and "ConnectionRefusedError" in booking.last_error
    )

    Booking.objects.filter(pk=booking.pk).update(state_attempts=ISSUING.retry.max_attempts - 1, due_at=None)
    assert runner.run_due(Booking, now=now) == {"confirmed": 1}
    booking.refresh_from_db()
    # The place stands (its code is on "My tickets"); the row says why no email went.
    assert booking.ticket_mailed_at is None and booking.last_error.startswith("ticket email not sent")


def test_double_check_in_with_stale_reads_admits_once_and_says_already_checked_in(places, sam, otto, olga):
    booking = _book(places, sam)
    # Both doors read the ticket as open before either scan was recorded.
    door_one, door_two = Booking.objects.get(pk=booking.pk), Booking.objects.get(pk=booking.pk)
    now = timezone.now()

    assert door_one.move_if_open("checked_in", now=now, fields={"checked_in_at": now, "checked_in_by": otto})
    assert not door_two.move_if_open(
        "checked_in", now=now, fields={"checked_in_at": now, "checked_in_by": olga}
    )

    assert door_two.state == "checked_in" and door_two.checked_in_by_id == otto.pk
    assert check_in.door_refusal(door_two).startswith("Already checked in at ")
    with pytest.raises(BookingRefused, match="Already checked in"):
        check_in.booking_check_in(code=booking.code, by_user=otto)


def test_check_in_while_the_runner_confirms_is_read_again_and_admitted(places, sam, otto):
    booking = _book(places, sam)
    stale = Booking.objects.get(pk=booking.pk)  # the door read it while its email was on its way
    runner.run_due(Booking)  # ... and the runner moved it on to confirmed meanwhile

    now = timezone.now()
    assert stale.move_if_open("checked_in", now=now, fields={"checked_in_at": now, "checked_in_by": otto})
    assert Booking.objects.get(pk=booking.pk).state == "checked_in"


def test_ticket_checked_in_before_its_email_went_is_not_mailed_afterwards(places, sam, otto):
    booking = _book(places, sam)
    check_in.booking_check_in(code=booking.code, by_user=otto)  # booked at the door, let in at once
    assert runner.run_due(Booking) == {}
    assert mail.outbox == [] and Booking.objects.get(pk=booking.pk).state == "checked_in"


def test_cancelled_booking_cannot_check_in_even_from_a_stale_read(places, sam, otto):
    booking = _book(places, sam)
    door = Booking.objects.get(pk=booking.pk)
    bookings.booking_cancel(booking=booking, user=sam)

    now = timezone.now()
    assert not door.move_if_open("checked_in", now=now, fields={"checked_in_at": now})
    assert door.state == "cancelled" and door.checked_in_at is None
    with pytest.raises(BookingRefused, match="cancelled"):
        check_in.booking_check_in(code=booking.code, by_user=otto)


def test_checked_in_ticket_cannot_be_cancelled(places, sam, otto):
    booking = _book(places, sam)
    check_in.booking_check_in(code=booking.code, by_user=otto)
    with pytest.raises(BookingRefused, match="checked in cannot be cancelled"):
        bookings.booking_cancel(booking=booking, user=sam)


def test_booking_the_runner_failed_holds_its_place_and_staff_issue_it_again(places, sam, otto, admin_client):
    booking = _book(places, sam)
    Booking.objects.filter(pk=booking.pk).update(state="failed", last_error="stalled: 8 workers took it")
    with pytest.raises(BookingRefused, match="never issued"):
        check_in.booking_check_in(code=booking.code, by_user=otto)

    response = admin_client.post(
        "/django-admin/events/booking/", {"action": "ticket_issue_again", "_selected_action": [booking.pk]}
    )

    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.state == "issuing" and booking.last_error == ""
    assert runner.run_due(Booking) == {"confirmed": 1} and len(mail.outbox) == 1


@pytest.mark.skipif(not settings.USING_POSTGRES, reason="two connections at once need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_doors_scanning_one_ticket_at_once_admit_it_once(otto_calendar, sam, otto):
    places = f.ticket_type(f.weekly_meetup(otto_calendar), quota=5)
    booking = _book(places, sam)

    def scan():
        try:
            check_in.booking_check_in(code=booking.code, by_user=otto)
            return "admitted"
        except BookingRefused as refusal:
            return refusal.messages[0]

    results = at_once(scan, scan)
    assert results.count("admitted") == 1
    [refused] = [message for message in results if message != "admitted"]
    assert refused.startswith("Already checked in at")
    assert Booking.objects.get(pk=booking.pk).state == "checked_in"
