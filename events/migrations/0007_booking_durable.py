"""Bookings on the one runner, step 1 of 3: the state columns, beside the old `status` still there.

The rows already in the table are added as `confirmed` (their ticket email went out on commit when
they were booked), not as the graph's initial `issuing`: a worker running new code before 0008 has
committed must not email every ticket ever issued again. 0008 then gives each its state, and 0009
drops `status` once that has committed (PostgreSQL refuses the schema change in the same transaction
as the rows it wrote).
"""

import django.utils.timezone
from django.db import migrations, models

STATES = [
    ("issuing", "Booked; ticket email on its way"),
    ("confirmed", "Booked"),
    ("checked_in", "Checked in"),
    ("cancelled", "Cancelled"),
    ("failed", "Ticket not issued: staff to issue it again"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0006_merge_refunds_and_waiting_list"),
    ]

    operations = [
        migrations.AddField(
            model_name="booking",
            name="state",
            field=models.CharField(choices=STATES, db_index=True, default="confirmed", max_length=32),
        ),
        # The column's default is Django's, not the database's: this changes no row and no SQL.
        migrations.AlterField(
            model_name="booking",
            name="state",
            field=models.CharField(choices=STATES, db_index=True, default="issuing", max_length=32),
        ),
        migrations.AddField(
            model_name="booking",
            name="state_changed_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AddField(
            model_name="booking",
            name="state_attempts",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="booking",
            name="due_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.AddField(
            model_name="booking",
            name="locked_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="booking",
            name="last_error",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="booking",
            name="ticket_mail_id",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AddField(
            model_name="booking",
            name="ticket_mailed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(
                fields=["ticket_type", "occurrence_start", "state"], name="events_book_ticket__451079_idx"
            ),
        ),
    ]
