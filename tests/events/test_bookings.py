"""Bookings: free places within quota, waiting list offers that expire, cancellation, check-in once."""

import functools
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from durable import runner
from events import bookings, cancellation, check_in, models, occurrences
from events.models import Booking
from events.reminders import BookingReminder
from events.waiting_list import WaitingListEntry
from tests.concurrency import at_once, raised
from tests.factories import events as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def meetup(otto_calendar):
    return f.event(otto_calendar, "Meetup", start=f.local(2, 18), end=f.local(2, 20), frequency="WEEKLY")


@pytest.fixture
def first(meetup):
    return meetup.start


def _people(n):
    return [f.user(f"person{i}@example.org") for i in range(n)]


def test_booking_free_issues_code_and_emails_ticket(meetup, first, sam, django_capture_on_commit_callbacks):
    ticket_type = f.ticket_type(meetup, quota=2)
    with django_capture_on_commit_callbacks(execute=True):
        booking = bookings.booking_create_free(ticket_type=ticket_type, original_start=first, user=sam)
    # Emailed by the runner's `issuing` handler once the booking committed, under its recorded Message-ID.
    booking.refresh_from_db()
    assert len(booking.code) == 10 and booking.state == "confirmed" and booking.ticket_mailed_at
    [ticket] = mail.outbox
    assert ticket.to == ["sam@example.org"] and booking.code in ticket.body
    assert ticket.attachments[0][2] == "image/png"
    assert ticket.extra_headers["Message-ID"] == booking.ticket_mail_id != ""


def test_booking_free_over_quota_refused(meetup, first):
    ticket_type = f.ticket_type(meetup, quota=2)
    a, b, c = _people(3)
    bookings.booking_create_free(ticket_type=ticket_type, original_start=first, user=a)
    bookings.booking_create_free(ticket_type=ticket_type, original_start=first, user=b)
    with pytest.raises(models.BookingRefused, match="Sold out"):
        bookings.booking_create_free(ticket_type=ticket_type, original_start=first, user=c)
    # Quota is per occurrence: next week's is untouched.
    bookings.booking_create_free(ticket_type=ticket_type, original_start=first + timedelta(days=7), user=c)


def test_booking_free_twice_by_same_person_refused(meetup, first, sam):
    ticket_type = f.ticket_type(meetup, quota=5)
    bookings.booking_create_free(ticket_type=ticket_type, original_start=first, user=sam)
    with pytest.raises(models.BookingRefused):
        bookings.booking_create_free(ticket_type=ticket_type, original_start=first, user=sam)


def test_booking_free_outside_sale_window_refused(meetup, first, sam):
    ticket_type = f.ticket_type(meetup, quota=5, sale_ends=timezone.now() - timedelta(minutes=1))
    with pytest.raises(models.BookingRefused, match="not on sale"):
        bookings.booking_create_free(ticket_type=ticket_type, original_start=first, user=sam)


def test_booking_free_for_cancelled_or_nonexistent_occurrence_refused(meetup, first, sam):
    ticket_type = f.ticket_type(meetup, quota=5)
    with pytest.raises(models.BookingRefused):
        bookings.booking_create_free(
            ticket_type=ticket_type, original_start=first + timedelta(hours=1), user=sam
        )
    cancellation.occurrence_cancel(event=meetup, original_start=first)
    with pytest.raises(models.BookingRefused):
        bookings.booking_create_free(ticket_type=ticket_type, original_start=first, user=sam)


def test_booking_for_one_occurrence_ticket_type_refused_for_other_dates(meetup, first, sam):
    ticket_type = f.ticket_type(meetup, quota=5, occurrence_start=first)
    with pytest.raises(models.BookingRefused, match="another date"):
        bookings.booking_create_free(
            ticket_type=ticket_type, original_start=first + timedelta(days=7), user=sam
        )


def test_occurrence_cancel_cancels_bookings_and_tells_attendees(
    meetup, first, sam, django_capture_on_commit_callbacks
):
    ticket_type = f.ticket_type(meetup, quota=5)
    booking = bookings.booking_create_free(ticket_type=ticket_type, original_start=first, user=sam)
    with django_capture_on_commit_callbacks(execute=True):
        cancellation.occurrence_cancel(event=meetup, original_start=first)
    booking.refresh_from_db()
    assert booking.state == "cancelled"
    assert any("Cancelled" in m.subject for m in mail.outbox)


def test_booking_cancel_by_attendee_frees_place_and_offers_it_to_waiting_list(
    meetup, first, django_capture_on_commit_callbacks
):
    ticket_type = f.ticket_type(meetup, quota=1)
    holder, waiter = _people(2)
    booking = bookings.booking_create_free(ticket_type=ticket_type, original_start=first, user=holder)
    entry = bookings.waiting_list_join(ticket_type=ticket_type, original_start=first, user=waiter)
    with django_capture_on_commit_callbacks(execute=True):
        bookings.booking_cancel(booking=booking, user=holder)
    entry.refresh_from_db()
    assert entry.status == "offered" and entry.offer_expires_at > timezone.now()
    assert mail.outbox[-1].to == [waiter.email]
    # The offered place is held: a stranger cannot take it, the person offered can.
    with pytest.raises(models.BookingRefused, match="Sold out"):
        bookings.booking_create_free(
            ticket_type=ticket_type, original_start=first, user=f.user("x@example.org")
        )
    bookings.booking_create_free(ticket_type=ticket_type, original_start=first, user=waiter)
    entry.refresh_from_db()
    assert entry.status == "accepted"


def test_booking_cancel_by_someone_else_refused(meetup, first, sam, olga):
    ticket_type = f.ticket_type(meetup, quota=1)
    booking = bookings.booking_create_free(ticket_type=ticket_type, original_start=first, user=sam)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        bookings.booking_cancel(booking=booking, user=olga)


def test_waiting_list_join_when_places_left_refused(meetup, first, sam):
    ticket_type = f.ticket_type(meetup, quota=1)
    with pytest.raises(models.BookingRefused):
        bookings.waiting_list_join(ticket_type=ticket_type, original_start=first, user=sam)


def test_waiting_list_offer_expires_and_passes_to_next(meetup, first):
    ticket_type = f.ticket_type(meetup, quota=1)
    holder, slow, next_in_line = _people(3)
    booking = bookings.booking_create_free(ticket_type=ticket_type, original_start=first, user=holder)
    slow_entry = bookings.waiting_list_join(ticket_type=ticket_type, original_start=first, user=slow)
    next_entry = bookings.waiting_list_join(ticket_type=ticket_type, original_start=first, user=next_in_line)
    bookings.booking_cancel(booking=booking, user=holder)
    later = timezone.now() + timedelta(hours=settings.EVENTS_WAITING_OFFER_HOURS, minutes=1)
    assert bookings.waiting_list_expire_offers(now=later) == 1
    slow_entry.refresh_from_db()
    next_entry.refresh_from_db()
    assert slow_entry.status == "expired" and next_entry.status == "offered"


def test_check_in_by_organiser_then_second_check_in_refused(meetup, first, sam, otto):
    booking = bookings.booking_create_free(ticket_type=f.ticket_type(meetup), original_start=first, user=sam)
    checked = check_in.booking_check_in(code=booking.code.lower(), by_user=otto)
    assert checked.checked_in_at is not None and checked.checked_in_by == otto
    with pytest.raises(models.BookingRefused, match="Already checked in"):
        check_in.booking_check_in(code=booking.code, by_user=otto)


def test_check_in_by_other_organiser_refused(meetup, first, sam, olga, olga_calendar):
    from django.core.exceptions import PermissionDenied

    booking = bookings.booking_create_free(ticket_type=f.ticket_type(meetup), original_start=first, user=sam)
    with pytest.raises(PermissionDenied):
        check_in.booking_check_in(code=booking.code, by_user=olga)
    booking.refresh_from_db()
    assert booking.checked_in_at is None


def test_check_in_of_cancelled_or_unknown_ticket_refused(meetup, first, sam, otto):
    booking = bookings.booking_create_free(ticket_type=f.ticket_type(meetup), original_start=first, user=sam)
    bookings.booking_cancel(booking=booking, user=sam)
    with pytest.raises(models.BookingRefused, match="cancelled"):
        check_in.booking_check_in(code=booking.code, by_user=otto)
    with pytest.raises(models.BookingRefused, match="Unknown"):
        check_in.booking_check_in(code="NOPE", by_user=otto)


def test_check_in_view_second_scan_refused_with_409(client, meetup, first, sam, otto):
    booking = bookings.booking_create_free(ticket_type=f.ticket_type(meetup), original_start=first, user=sam)
    client.force_login(otto)
    assert client.post("/events/check-in/", {"code": booking.code}).status_code == 200
    second = client.post("/events/check-in/", {"code": booking.code})
    assert second.status_code == 409 and "Already checked in" in second.content.decode()


def test_book_free_view_requires_login_and_books(client, meetup, first, sam):
    ticket_type = f.ticket_type(meetup, quota=3)
    url = f"/events/o/{meetup.pk}/{int(first.timestamp())}/book/"
    assert client.post(url, {"ticket_type": ticket_type.pk}).status_code == 302
    assert not Booking.objects.exists()
    client.force_login(sam)
    response = client.post(url, {"ticket_type": ticket_type.pk}, follow=True)
    booking = Booking.objects.get(user=sam)
    assert booking.code in response.content.decode()
    qr = client.get(f"/events/tickets/{booking.code}/qr.svg")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/svg+xml"


def test_ticket_qr_of_someone_elses_ticket_is_404(client, meetup, first, sam, olga):
    booking = bookings.booking_create_free(ticket_type=f.ticket_type(meetup), original_start=first, user=sam)
    client.force_login(olga)
    assert client.get(f"/events/tickets/{booking.code}/qr.svg").status_code == 404


def _reminders_sent(now) -> int:
    # The one runner's sweep, run in-process at a chosen time: how many reminders it mailed.
    return runner.run_due(BookingReminder, now=now)["sent"]


def test_reminders_sent_once_in_the_24_hours_before(meetup, first, sam):
    bookings.booking_create_free(ticket_type=f.ticket_type(meetup), original_start=first, user=sam)
    mail.outbox.clear()
    assert _reminders_sent(now=first - timedelta(hours=30)) == 0
    assert _reminders_sent(now=first - timedelta(hours=20)) == 1
    assert _reminders_sent(now=first - timedelta(hours=19)) == 0
    assert len(mail.outbox) == 1 and "Reminder" in mail.outbox[0].subject


def test_reminder_follows_a_moved_occurrence(meetup, first, sam):
    bookings.booking_create_free(ticket_type=f.ticket_type(meetup), original_start=first, user=sam)
    occurrences.occurrence_move(event=meetup, original_start=first, new_start=first + timedelta(days=2))
    assert _reminders_sent(now=first - timedelta(hours=20)) == 0
    assert _reminders_sent(now=first + timedelta(days=2) - timedelta(hours=20)) == 1


@pytest.mark.skipif(
    not settings.USING_POSTGRES, reason="row locks need PostgreSQL; SQLite serialises writers"
)
@pytest.mark.django_db(transaction=True)
def test_booking_free_50_concurrent_for_last_5_places_yields_exactly_5(otto_calendar):
    meetup = f.event(otto_calendar, "Meetup", start=f.local(2, 18), end=f.local(2, 20))
    ticket_type = f.ticket_type(meetup, quota=5)
    people = _people(50)
    book = functools.partial(
        bookings.booking_create_free, ticket_type=ticket_type, original_start=meetup.start
    )
    refusals = raised(at_once(*[functools.partial(book, user=person) for person in people]))
    assert [exc for exc in refusals if not isinstance(exc, models.BookingRefused)] == []
    assert len(refusals) == 45  # and the other 5 booked
    assert Booking.objects.filter(ticket_type=ticket_type).count() == 5
    assert not WaitingListEntry.objects.exists()
