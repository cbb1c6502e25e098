"""Bookings on the one runner, step 2 of 3: each booking's old status (and check-in time) becomes its state.

A migration of its own: on PostgreSQL the rows it writes leave deferred checks pending until commit,
and the schema changes around it (0007's columns, 0009's dropped one) are refused in the same
transaction.
"""

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Coalesce


def states_from_statuses(apps, schema_editor):
    """`cancelled` stays `cancelled`; a `confirmed` booking with a check-in time is `checked_in`, one
    without is `confirmed`. Every one of them had its ticket emailed on commit by the old code, so each
    is marked mailed (when it was booked) and none is left for the runner to email again."""
    Booking = apps.get_model("events", "Booking")
    bookings = Booking.objects.all()
    bookings.update(ticket_mailed_at=F("created_at"), due_at=None, locked_until=None, state_attempts=0)
    bookings.filter(status="cancelled").update(
        state="cancelled", state_changed_at=Coalesce("cancelled_at", "created_at")
    )
    confirmed = bookings.filter(status="confirmed")
    confirmed.filter(checked_in_at__isnull=False).update(
        state="checked_in", state_changed_at=F("checked_in_at")
    )
    confirmed.filter(checked_in_at__isnull=True).update(state="confirmed", state_changed_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0007_booking_durable"),
    ]

    operations = [
        migrations.RunPython(states_from_statuses, migrations.RunPython.noop),
    ]
