"""Event reminders on the one runner: each reminder its own durable row, mailed after its own commit."""

from datetime import timedelta

import pytest
from django.core import mail

from durable import runner
from events import bookings
from events.models import Booking
from events.reminders import BookingReminder
from tests.factories import events as f
from tests.security import failing_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused(settings):
    settings.EMAIL_BACKEND = "tests.security.failing_mail.RefusingBackend"
    failing_mail.REFUSED.clear()
    yield failing_mail.REFUSED
    failing_mail.REFUSED.clear()


@pytest.fixture
def meetup(otto_calendar):
    return f.event(otto_calendar, "Meetup", start=f.local(2, 18), end=f.local(2, 20), frequency="WEEKLY")


def _book(meetup, *emails):
    ticket_type = f.ticket_type(meetup, quota=10)
    for email in emails:
        bookings.booking_create_free(ticket_type=ticket_type, original_start=meetup.start, user=f.user(email))
    mail.outbox.clear()


def _mailed(address: str) -> int:
    return sum(address in message.to for message in mail.outbox)


def test_reminder_smtp_failing_on_second_of_three_retries_only_that_one_later(meetup, refused):
    _book(meetup, "ann@example.org", "bob@example.org", "cat@example.org")
    refused.add("bob@example.org")
    now = meetup.start - timedelta(hours=20)

    assert runner.run_due(BookingReminder, now=now) == {"sent": 2, "scheduled": 1}
    bob = BookingReminder.objects.get(booking__email="bob@example.org")
    assert bob.state == "scheduled" and "SMTPRecipientsRefused" in bob.last_error
    assert bob.due_at > now and bob.state_attempts == 1
    # The same sweep again (a second beat, a redelivered task): nothing is due, nothing is mailed.
    assert runner.run_due(BookingReminder, now=now) == {}

    refused.clear()  # the mail server recovers; the refused reminder's retry falls due later
    assert runner.run_due(BookingReminder, now=bob.due_at) == {"sent": 1}
    assert [_mailed(a) for a in ("ann@example.org", "bob@example.org", "cat@example.org")] == [1, 1, 1]
    assert set(BookingReminder.objects.values_list("state", flat=True)) == {"sent"}


def test_reminder_of_a_cancelled_booking_skipped(meetup):
    _book(meetup, "ann@example.org")
    booking = Booking.objects.get()
    bookings.booking_cancel(booking=booking, user=booking.user)
    assert runner.run_due(BookingReminder, now=meetup.start - timedelta(hours=20)) == {"skipped": 1}
    assert mail.outbox == []


def test_reminder_waits_for_its_window_then_goes_once(meetup):
    _book(meetup, "ann@example.org")
    now = meetup.start - timedelta(days=1, hours=6)
    assert runner.run_due(BookingReminder, now=now) == {"scheduled": 1}
    reminder = BookingReminder.objects.get()
    assert reminder.due_at == meetup.start - timedelta(hours=24)
    assert runner.run_due(BookingReminder, now=reminder.due_at) == {"sent": 1}
    assert len(mail.outbox) == 1 and "Reminder" in mail.outbox[0].subject
