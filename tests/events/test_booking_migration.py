"""The migrations that put bookings on the one runner give each its state from its old status and check-in.

They write rows, so they run on PostgreSQL in CI too: there the schema changes on either side of the
data migration (0007's columns, 0009's dropped `status`) must commit apart from the rows it writes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories.events import user
from tests.migrations import migrate

BEFORE = [("events", "0006_merge_refunds_and_waiting_list")]
COLUMNS_ADDED = [("events", "0007_booking_durable")]
AFTER = [("events", "0009_booking_status_removed")]


def _old_bookings(old, now):
    calendar = old.get_model("schedule", "Calendar").objects.create(name="C", slug="c")
    event = old.get_model("schedule", "Event").objects.create(
        title="Meetup", start=now + timedelta(days=2), end=now + timedelta(days=2, hours=2), calendar=calendar
    )
    ticket_type = old.get_model("events", "TicketType").objects.create(event=event, name="Place", quota=9)
    Booking = old.get_model("events", "Booking")
    door = user("door@example.org")

    def booking(code: str, status: str, **fields):
        return Booking.objects.create(
            ticket_type=ticket_type,
            occurrence_start=event.start,
            email=f"{code.lower()}@example.org",
            code=code,
            status=status,
            **fields,
        )

    booking("BOOKED", "confirmed")
    booking("ADMITTED", "confirmed", checked_in_at=now - timedelta(minutes=5), checked_in_by_id=door.pk)
    booking("CALLEDOFF", "cancelled", cancelled_at=now - timedelta(days=1))


@pytest.mark.django_db(transaction=True)
def test_booking_statuses_and_check_ins_become_states(latest_schema_after):
    now = timezone.now()
    _old_bookings(migrate(BEFORE), now)

    new = migrate(AFTER)
    rows = {row.code: row for row in new.get_model("events", "Booking").objects.all()}
    assert {code: row.state for code, row in rows.items()} == {
        "BOOKED": "confirmed",
        "ADMITTED": "checked_in",
        "CALLEDOFF": "cancelled",
    }
    assert rows["ADMITTED"].state_changed_at == rows["ADMITTED"].checked_in_at
    assert rows["CALLEDOFF"].state_changed_at == rows["CALLEDOFF"].cancelled_at
    # Their ticket emails went out when they were booked: none is left for the runner to send again.
    for row in rows.values():
        assert row.ticket_mailed_at == row.created_at and row.due_at is None and row.locked_until is None


@pytest.mark.django_db(transaction=True)
def test_bookings_read_between_the_schema_and_data_migrations_are_not_issued_again(latest_schema_after):
    """A worker on the new code that looks before 0008 has committed finds the old rows `confirmed`,
    not in the graph's initial `issuing`, so it emails no ticket a second time."""
    _old_bookings(migrate(BEFORE), timezone.now())

    between = migrate(COLUMNS_ADDED)

    states = between.get_model("events", "Booking").objects.values_list("state", flat=True)
    assert set(states) == {"confirmed"}
