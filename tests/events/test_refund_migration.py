"""The data migration that moves ticket refunds onto the one runner keeps each booking's refund state."""

from decimal import Decimal

import pytest
from django.utils import timezone

from events import bookings
from events.models import Booking
from tests.factories import events as f
from tests.migrations import migrate

BEFORE = [("events", "0004_booking_reminders_durable")]
AFTER = [("events", "0005_ticket_refunds_durable")]


@pytest.mark.django_db(transaction=True)
def test_refunds_owed_become_durable_rows_in_their_state(latest_schema_after):
    calendar = f.organiser_calendar("Otto's", f.user("otto@example.org"))
    meetup = f.event(calendar, "Meetup", start=f.local(2, 18), end=f.local(2, 20), frequency="WEEKLY")
    ticket_type = f.ticket_type(meetup, quota=10)
    for email in ("done@example.org", "gave-up@example.org", "owed@example.org", "free@example.org"):
        bookings.booking_create_free(ticket_type=ticket_type, original_start=meetup.start, user=f.user(email))
    now, owed = timezone.now(), Decimal("25.00")
    migrate(BEFORE)
    Booking.objects.filter(email="done@example.org").update(refund_owed=owed, refunded_at=now)
    Booking.objects.filter(email="gave-up@example.org").update(
        refund_owed=owed, refund_failed_at=now, refund_error="APIError: 503"
    )
    Booking.objects.filter(email="owed@example.org").update(refund_owed=owed)

    new = migrate(AFTER)
    TicketRefund = new.get_model("events", "TicketRefund")
    rows = {row.booking.email: row for row in TicketRefund.objects.select_related("booking")}
    assert {email: row.state for email, row in rows.items()} == {
        "done@example.org": "refunded",
        "gave-up@example.org": "failed",
        "owed@example.org": "owed",  # due now: the durable sweep sends it under the same SumUp key
    }
    assert rows["gave-up@example.org"].last_error == "APIError: 503"
    assert rows["owed@example.org"].due_at is None and rows["owed@example.org"].locked_until is None
