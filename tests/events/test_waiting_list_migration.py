"""The data migration that puts waiting-list entries on the runner maps each old status to a state."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.factories.events import user
from tests.migrations import migrate

BEFORE = [("events", "0004_booking_reminders_durable")]
AFTER = [("events", "0005_waiting_list_durable")]
STATUSES = ("waiting", "offered", "accepted", "expired", "left")


@pytest.mark.django_db(transaction=True)
def test_waiting_list_statuses_become_states(latest_schema_after):
    people = {status: user(f"{status}@example.org") for status in STATUSES}
    old = migrate(BEFORE)
    now = timezone.now()
    calendar = old.get_model("schedule", "Calendar").objects.create(name="C", slug="c")
    event = old.get_model("schedule", "Event").objects.create(
        title="Meetup", start=now + timedelta(days=2), end=now + timedelta(days=2, hours=2), calendar=calendar
    )
    ticket_type = old.get_model("events", "TicketType").objects.create(event=event, name="Place", quota=1)
    expires = now + timedelta(hours=3)
    for status in STATUSES:
        old.get_model("events", "WaitingListEntry").objects.create(
            ticket_type=ticket_type,
            occurrence_start=event.start,
            user_id=people[status].pk,
            status=status,
            offer_expires_at=expires if status == "offered" else None,
        )

    new = migrate(AFTER)
    entries = new.get_model("events", "WaitingListEntry").objects.order_by("pk")
    assert [entry.state for entry in entries] == ["waiting", "offered", "accepted", "expired", "withdrawn"]
    offered = entries.get(state="offered")
    # Mailed by the old code when it was made: the runner next looks at it when it lapses.
    assert offered.due_at == expires and offered.offer_mailed_at is not None
    assert entries.get(state="waiting").due_at is None
