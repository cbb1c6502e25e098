"""Calling off an event or a date mails every ticket holder after commit, one durable notice each: a
refused address or a mail server down part-way neither stops the others nor resends them, and the
notices that could not go are sent once the server is back."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from accounts.deletion import user_delete
from accounts.models import User
from durable import runner
from events import cancellation
from events.models import Booking
from events.notices import CancellationNotice
from tests.accounts.smtp_server import SMTPServer
from tests.factories import events as f
from tests.security.failing_mail import mails_to

# Committed for real: the notices are worked once the cancellation commits, as in production.
pytestmark = pytest.mark.django_db(transaction=True)

HOLDERS = ("ann@example.org", "bob@example.org", "cat@example.org")


@pytest.fixture
def otto():
    return f.user("otto@example.org")


@pytest.fixture
def meetup(otto):
    meetup = f.weekly_meetup(f.organiser_calendar("Otto's workshops", otto))
    f.free_bookings(meetup, *HOLDERS)
    mail.outbox.clear()  # the booking confirmations
    return meetup


@pytest.fixture
def smtp(settings):
    """Our SMTP server on 127.0.0.1, which goes away after its first message."""
    server = SMTPServer(down_after=1)
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


@pytest.fixture
def eager():
    """The runner works the notices in this process (CI sets REDIS_URL): the SMTP server is watched here."""
    from config.celery import app

    saved = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = saved


def _cancelled_to(address: str) -> int:
    return sum(address in m.to and m.subject.startswith("Cancelled") for m in mail.outbox)


def test_event_cancel_one_refused_holder_the_others_are_told_once(meetup, otto, refusing_mail, eager):
    refusing_mail.add("ann@example.org")  # the first holder in line: the rest come after it

    cancelled = cancellation.event_cancel(event=meetup, by_user=otto)

    assert len(cancelled) == 3
    assert set(Booking.objects.values_list("state", flat=True)) == {"cancelled"}
    assert [_cancelled_to(a) for a in HOLDERS] == [0, 1, 1]
    assert mails_to("bob@example.org") == 1 and mails_to("cat@example.org") == 1


def test_event_cancel_smtp_down_part_way_the_rest_are_sent_once_after_recovery(meetup, otto, smtp, eager):
    cancellation.event_cancel(event=meetup, by_user=otto)

    assert sum(smtp.received.values()) == 1  # the server went away after the first holder's email
    waiting = CancellationNotice.objects.filter(state="queued")
    assert waiting.count() == 2 and all(notice.last_error for notice in waiting)

    smtp.start()  # back, on the same port
    runner.run_due(CancellationNotice, now=timezone.now() + timedelta(hours=1))

    assert [smtp.received[a] for a in HOLDERS] == [1, 1, 1]
    assert set(CancellationNotice.objects.values_list("state", flat=True)) == {"sent"}


def test_date_cancel_smtp_down_part_way_the_rest_are_sent_once_after_recovery(meetup, smtp, eager):
    cancellation.occurrence_cancel(event=meetup, original_start=meetup.start)

    assert sum(smtp.received.values()) == 1
    smtp.start()
    runner.run_due(CancellationNotice, now=timezone.now() + timedelta(hours=1))
    runner.run_due(CancellationNotice, now=timezone.now() + timedelta(hours=1))  # nothing left to send

    assert [smtp.received[a] for a in HOLDERS] == [1, 1, 1]


def test_event_cancel_holder_deleted_before_the_retry_is_not_mailed(meetup, otto, refusing_mail, eager):
    refusing_mail.add("ann@example.org")
    cancellation.event_cancel(event=meetup, by_user=otto)
    user_delete(User.objects.get(email="ann@example.org"))  # the address leaves the bookings
    refusing_mail.clear()

    runner.run_due(CancellationNotice, now=timezone.now() + timedelta(hours=1))

    assert [_cancelled_to(a) for a in HOLDERS] == [0, 1, 1]
    assert sorted(CancellationNotice.objects.values_list("state", flat=True)) == ["sent", "sent", "skipped"]
    assert not CancellationNotice.objects.filter(last_error__icontains="ann@").exists()
