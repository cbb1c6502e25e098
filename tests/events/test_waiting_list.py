"""The waiting list on the one runner: offers mailed once after commit, lapsed offers passed on once,
two freed places offered to two people, and an acceptance racing a lapse won by one of them only."""

import functools
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from durable import runner
from durable.claim import claim_due
from events import bookings, cancellation
from events.models import Booking
from events.selectors import places_taken
from events.waiting_list import WaitingListEntry
from tests.concurrency import at_once, raised
from tests.factories import events as f
from tests.security import failing_mail

pytestmark = pytest.mark.django_db

OFFER = timedelta(hours=settings.EVENTS_WAITING_OFFER_HOURS)


@pytest.fixture
def meetup(otto_calendar):
    return f.event(otto_calendar, "Meetup", start=f.local(2, 18), end=f.local(2, 20), frequency="WEEKLY")


@pytest.fixture
def refusing_mail(settings):
    settings.EMAIL_BACKEND = "tests.security.failing_mail.RefusingBackend"
    failing_mail.REFUSED.clear()
    yield failing_mail.REFUSED
    failing_mail.REFUSED.clear()


def _full(meetup, holders: int, waiters: int):
    """A ticket type booked out by `holders` people with `waiters` more on its waiting list, in order."""
    ticket_type = f.ticket_type(meetup, quota=holders)
    held = [
        bookings.booking_create_free(
            ticket_type=ticket_type, original_start=meetup.start, user=f.user(f"holder{i}@example.org")
        )
        for i in range(holders)
    ]
    entries = [
        bookings.waiting_list_join(
            ticket_type=ticket_type, original_start=meetup.start, user=f.user(f"waiter{i}@example.org")
        )
        for i in range(waiters)
    ]
    mail.outbox.clear()
    return ticket_type, held, entries


def _sent_to(address: str) -> int:
    return sum(address in message.to for message in mail.outbox)


def _states(entries) -> list[str]:
    return [WaitingListEntry.objects.get(pk=entry.pk).state for entry in entries]


def test_offer_whose_mail_failed_is_retried_by_the_sweep_and_mailed_once(
    meetup, refusing_mail, django_capture_on_commit_callbacks
):
    _, (booking,), (entry,) = _full(meetup, 1, 1)
    refusing_mail.add(entry.user.email)
    with django_capture_on_commit_callbacks(execute=True):
        bookings.booking_cancel(booking=booking, user=booking.user)
    entry.refresh_from_db()
    assert _sent_to(entry.user.email) == 0
    assert entry.state == "offered" and "SMTPRecipientsRefused" in entry.last_error
    assert entry.offer_mail_id and entry.offer_mailed_at is None  # the key was recorded before the try

    refusing_mail.clear()  # the mail server takes it again before the next sweep
    now = timezone.now()
    for minutes in (5, 10, 60):
        runner.run_due(WaitingListEntry, now=now + timedelta(minutes=minutes))

    entry.refresh_from_db()
    assert _sent_to(entry.user.email) == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == entry.offer_mail_id
    assert entry.state == "offered" and entry.offer_mailed_at is not None
    assert entry.due_at == entry.offer_expires_at  # next looked at when it lapses


def test_expired_offer_passes_to_the_next_person_exactly_once(meetup):
    ticket_type, (booking,), (slow, second, third) = _full(meetup, 1, 3)
    bookings.booking_cancel(booking=booking, user=booking.user)
    later = timezone.now() + OFFER + timedelta(minutes=1)

    # The sweep, then again after a worker that passed it on died before recording it (`lapsed`).
    assert bookings.waiting_list_expire_offers(now=later) == 1
    WaitingListEntry.objects.filter(pk=slow.pk).update(state="lapsed", due_at=None)
    assert bookings.waiting_list_expire_offers(now=later + timedelta(minutes=1)) == 1
    bookings.waiting_list_expire_offers(now=later + timedelta(minutes=2))

    assert _states([slow, second, third]) == ["expired", "offered", "waiting"]
    assert places_taken(ticket_type, meetup.start, now=later) == 1
    assert _sent_to(second.user.email) == 1 and _sent_to(third.user.email) == 0


def test_offer_the_runner_fails_passes_its_place_to_the_next_person(
    meetup, django_capture_on_commit_callbacks
):
    """Workers kept dying on an offer (none recorded a result): the runner fails the row itself, and
    the place it held goes to the next in line instead of staying empty."""
    ticket_type, (booking,), (unlucky, second) = _full(meetup, 1, 2)
    bookings.booking_cancel(booking=booking, user=booking.user)
    tries = WaitingListEntry.state_graph.offered.retry.max_attempts
    WaitingListEntry.objects.filter(pk=unlucky.pk).update(
        state_attempts=tries, locked_until=timezone.now() - timedelta(seconds=1), due_at=None
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert runner.run_due(WaitingListEntry)["failed"] == 1

    assert _states([unlucky, second]) == ["failed", "offered"]
    assert places_taken(ticket_type, meetup.start, now=timezone.now()) == 1
    assert _sent_to(second.user.email) == 1


def test_acceptance_racing_the_lapse_gives_the_place_once(meetup):
    ticket_type, (booking,), (offered, next_in_line) = _full(meetup, 1, 2)
    bookings.booking_cancel(booking=booking, user=booking.user)
    later = timezone.now() + OFFER + timedelta(minutes=1)
    # A sweep whose clock has passed the expiry leases the offer; before its worker runs, the person
    # offered books it (their clock is still inside the offer).
    assert claim_due(WaitingListEntry, ["offered"], 10, 120, now=later) == [offered.pk]
    bookings.booking_create_free(ticket_type=ticket_type, original_start=meetup.start, user=offered.user)
    runner.advance(WaitingListEntry, offered.pk, lease=later + timedelta(seconds=120), now=later)

    assert _states([offered, next_in_line]) == ["accepted", "waiting"]
    assert Booking.objects.filter(ticket_type=ticket_type).exclude(state="cancelled").count() == 1
    assert places_taken(ticket_type, meetup.start, now=later) == 1


def test_lapse_before_acceptance_leaves_the_late_person_sold_out(meetup):
    ticket_type, (booking,), (offered, next_in_line) = _full(meetup, 1, 2)
    bookings.booking_cancel(booking=booking, user=booking.user)
    assert bookings.waiting_list_expire_offers(now=timezone.now() + OFFER + timedelta(minutes=1)) == 1
    with pytest.raises(bookings.BookingRefused, match="Sold out"):
        bookings.booking_create_free(ticket_type=ticket_type, original_start=meetup.start, user=offered.user)
    assert _states([offered, next_in_line]) == ["expired", "offered"]


def test_event_cancelled_closes_the_waiting_list_and_its_offers(meetup, otto):
    _, (booking,), (offered, waiting) = _full(meetup, 1, 2)
    bookings.booking_cancel(booking=booking, user=booking.user)
    cancellation.event_cancel(event=meetup, by_user=otto)
    assert _states([offered, waiting]) == ["closed", "closed"]
    # A lapse falling due later finds nothing to pass on.
    assert bookings.waiting_list_expire_offers(now=timezone.now() + OFFER + timedelta(minutes=1)) == 0


def test_state_machines_page_lists_the_waiting_list_with_counts(client, meetup, staff):
    _, (booking,), _ = _full(meetup, 1, 2)
    bookings.booking_cancel(booking=booking, user=booking.user)
    assert WaitingListEntry in runner.stateful_models()
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    html = client.get("/admin/state-machines/").content.decode()
    section = html.split('id="machine-eventswaitinglistentry"', 1)[1].split("</section>", 1)[0]
    for state in ("offered", "waiting"):
        row = section.split(f'data-state="{state}"', 1)[1].split("</tr>", 1)[0]
        assert ">1</a>" in row.split("state-row__stalled")[0]


@pytest.mark.skipif(
    not settings.USING_POSTGRES, reason="row locks need PostgreSQL; SQLite serialises writers"
)
@pytest.mark.django_db(transaction=True)
def test_two_cancellations_at_once_offer_the_next_two_people(meetup):
    ticket_type, held, entries = _full(meetup, 2, 3)
    cancels = [functools.partial(bookings.booking_cancel, booking=b, user=b.user) for b in held]
    assert raised(at_once(*cancels)) == []  # a deadlock or refusal in either fails the test
    assert _states(entries) == ["offered", "offered", "waiting"]
    assert places_taken(ticket_type, meetup.start) == 2
    # Each offer mailed once, after its commit, by the runner the cancellation queued.
    assert [_sent_to(entry.user.email) for entry in entries] == [1, 1, 0]
