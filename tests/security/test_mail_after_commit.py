"""Mail leaves only after its database work has committed, and one failed email never resends others."""

from datetime import timedelta

import pytest
from django.core import mail

from durable import runner
from events import bookings, cancellation
from events.models import Booking
from events.reminders import BookingReminder
from tests.factories import events as f

from . import failing_mail

pytestmark = pytest.mark.django_db


@pytest.fixture
def refusing_mail(settings):
    settings.EMAIL_BACKEND = "tests.security.failing_mail.RefusingBackend"
    failing_mail.REFUSED.clear()
    yield failing_mail.REFUSED
    failing_mail.REFUSED.clear()


@pytest.fixture
def meetup(db):
    otto_calendar = f.organiser_calendar("Otto's workshops", f.user("otto@example.org"))
    return f.event(otto_calendar, "Meetup", start=f.local(2, 18), end=f.local(2, 20), frequency="WEEKLY")


def _book(meetup, *emails, quota=5):
    ticket_type = f.ticket_type(meetup, quota=quota)
    for email in emails:
        bookings.booking_create_free(ticket_type=ticket_type, original_start=meetup.start, user=f.user(email))
    mail.outbox.clear()
    return ticket_type


def _sent_to(address: str) -> int:
    return sum(address in message.to for message in mail.outbox)


def test_reminders_one_refused_address_keeps_the_others_sent_once(meetup, refusing_mail):
    _book(meetup, "ann@example.org", "bob@example.org", "cat@example.org")
    refusing_mail.add("bob@example.org")
    now = meetup.start - timedelta(hours=20)

    assert runner.run_due(BookingReminder, now=now)["sent"] == 2
    refusing_mail.clear()  # the SMTP server recovers before the refused one's retry falls due
    assert runner.run_due(BookingReminder, now=now + timedelta(hours=1))["sent"] == 1

    assert [_sent_to(a) for a in ("ann@example.org", "bob@example.org", "cat@example.org")] == [1, 1, 1]
    assert set(BookingReminder.objects.values_list("state", flat=True)) == {"sent"}


def test_occurrence_cancel_mails_holders_only_after_commit(meetup, django_capture_on_commit_callbacks):
    _book(meetup, "ann@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        cancellation.occurrence_cancel(event=meetup, original_start=meetup.start)
    assert mail.outbox == []  # a rollback now would leave no email behind
    for callback in callbacks:
        callback()
    assert _sent_to("ann@example.org") == 1


def test_waiting_list_offer_mailed_only_after_commit(meetup, django_capture_on_commit_callbacks):
    ticket_type = _book(meetup, "ann@example.org", quota=1)
    waiting = f.user("wes@example.org")
    bookings.waiting_list_join(ticket_type=ticket_type, original_start=meetup.start, user=waiting)
    booking = Booking.objects.get(email="ann@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        bookings.booking_cancel(booking=booking, user=booking.user)
    assert _sent_to("wes@example.org") == 0
    for callback in callbacks:
        callback()
    assert _sent_to("wes@example.org") == 1
