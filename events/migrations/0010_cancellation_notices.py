"""Cancellation notices: one durable row per holder told that an event or a date is called off."""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("events", "0009_booking_status_removed"),
        ("schedule", "0015_rename_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="CancellationNotice",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("state_changed_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("state_attempts", models.PositiveIntegerField(default=0)),
                ("due_at", models.DateTimeField(blank=True, db_index=True, null=True)),
                ("locked_until", models.DateTimeField(blank=True, null=True)),
                ("last_error", models.TextField(blank=True)),
                ("key", models.CharField(max_length=100, unique=True)),
                ("booking_ids", models.JSONField(default=list)),
                ("whole_event", models.BooleanField(default=True)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("sent", "Sent"),
                            ("skipped", "Not needed"),
                            ("failed", "Failed"),
                        ],
                        db_index=True,
                        default="queued",
                        max_length=32,
                    ),
                ),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                (
                    "event",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="schedule.event"
                    ),
                ),
            ],
        ),
    ]
