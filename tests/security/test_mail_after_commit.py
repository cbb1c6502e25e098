"""Mail leaves only after its database work has committed, and one failed email never resends others."""

from datetime import timedelta

import pytest
from django.core import mail

from durable import runner
from events import bookings, cancellation
from events.models import Booking
from events.reminders import BookingReminder
from tests.factories import events as f

from .failing_mail import mails_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetup(db):
    return f.weekly_meetup(f.organiser_calendar("Otto's workshops", f.user("otto@example.org")))


def _book(meetup, *emails, quota=5):
    ticket_type = f.free_bookings(meetup, *emails, quota=quota)
    mail.outbox.clear()  # the booking confirmations; these tests count what follows
    return ticket_type


def test_reminders_one_refused_address_keeps_the_others_sent_once(meetup, refusing_mail):
    _book(meetup, "ann@example.org", "bob@example.org", "cat@example.org")
    refusing_mail.add("bob@example.org")
    now = meetup.start - timedelta(hours=20)

    assert runner.run_due(BookingReminder, now=now)["sent"] == 2
    refusing_mail.clear()  # the SMTP server recovers before the refused one's retry falls due
    assert runner.run_due(BookingReminder, now=now + timedelta(hours=1))["sent"] == 1

    assert [mails_to(a) for a in ("ann@example.org", "bob@example.org", "cat@example.org")] == [1, 1, 1]
    assert set(BookingReminder.objects.values_list("state", flat=True)) == {"sent"}


def test_occurrence_cancel_mails_holders_only_after_commit(meetup, django_capture_on_commit_callbacks):
    _book(meetup, "ann@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cancellation.occurrence_cancel(event=meetup, original_start=meetup.start)
    assert mail.outbox == []  # a rollback now would leave no email behind
    for callback in callbacks:
        callback()
    assert mails_to("ann@example.org") == 1


def test_waiting_list_offer_mailed_only_after_commit(meetup, django_capture_on_commit_callbacks):
    ticket_type = _book(meetup, "ann@example.org", quota=1)
    waiting = f.user("wes@example.org")
    bookings.waiting_list_join(ticket_type=ticket_type, original_start=meetup.start, user=waiting)
    booking = Booking.objects.get(email="ann@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        bookings.booking_cancel(booking=booking, user=booking.user)
    assert mails_to("wes@example.org") == 0
    for callback in callbacks:
        callback()
    assert mails_to("wes@example.org") == 1
