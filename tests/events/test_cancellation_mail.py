"""Calling off an event mails every ticket holder after commit: one refused address neither stops the
others nor turns the committed cancellation into an error."""

import pytest
from django.core import mail

from events import cancellation
from events.models import Booking
from tests.factories import events as f
from tests.security.failing_mail import mails_to

# Committed for real: the holders' emails are on-commit callbacks, run as Django runs them.
pytestmark = pytest.mark.django_db(transaction=True)

HOLDERS = ("ann@example.org", "bob@example.org", "cat@example.org")


def _cancelled_to(address: str) -> int:
    return sum(address in m.to and m.subject.startswith("Cancelled") for m in mail.outbox)


def test_event_cancel_one_refused_holder_the_others_are_told_once(refusing_mail):
    otto = f.user("otto@example.org")
    meetup = f.weekly_meetup(f.organiser_calendar("Otto's workshops", otto))
    f.free_bookings(meetup, *HOLDERS)
    mail.outbox.clear()
    refusing_mail.add("ann@example.org")  # the first holder in line: the rest come after it

    cancelled = cancellation.event_cancel(event=meetup, by_user=otto)

    assert len(cancelled) == 3
    assert set(Booking.objects.values_list("state", flat=True)) == {"cancelled"}
    assert [_cancelled_to(a) for a in HOLDERS] == [0, 1, 1]
    assert mails_to("bob@example.org") == 1 and mails_to("cat@example.org") == 1
