"""Event reminders on the one runner: each reminder its own durable row, mailed after its own commit."""

from datetime import timedelta

import pytest
from django.core import mail

from durable import runner
from events import bookings
from events.models import Booking
from events.reminders import BookingReminder
from tests.factories import events as f
from tests.security.failing_mail import mails_to

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetup(otto_calendar):
    return f.weekly_meetup(otto_calendar)


def _book(meetup, *emails):
    f.free_bookings(meetup, *emails, quota=10)
    mail.outbox.clear()  # the booking confirmations; these tests count reminders


def test_reminder_smtp_failing_on_second_of_three_retries_only_that_one_later(meetup, refusing_mail):
    _book(meetup, "ann@example.org", "bob@example.org", "cat@example.org")
    refusing_mail.add("bob@example.org")
    now = meetup.start - timedelta(hours=20)

    assert runner.run_due(BookingReminder, now=now) == {"sent": 2, "scheduled": 1}
    bob = BookingReminder.objects.get(booking__email="bob@example.org")
    assert bob.state == "scheduled" and "SMTPRecipientsRefused" in bob.last_error
    assert bob.due_at > now and bob.state_attempts == 1
    # The same sweep again (a second beat, a redelivered task): nothing is due, nothing is mailed.
    assert runner.run_due(BookingReminder, now=now) == {}

    refusing_mail.clear()  # the mail server recovers; the refused reminder's retry falls due later
    assert runner.run_due(BookingReminder, now=bob.due_at) == {"sent": 1}
    assert [mails_to(a) for a in ("ann@example.org", "bob@example.org", "cat@example.org")] == [1, 1, 1]
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
