import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    """Deliveries and inbox items become rows of the one runner: its state columns, added empty."""

    dependencies = [
        ("federation", "0006_alter_reaction_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="due_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.AddField(
            model_name="delivery",
            name="locked_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="delivery",
            name="state_attempts",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="delivery",
            name="state_changed_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="delivery",
            name="state",
            field=models.CharField(
                choices=[
                    ("pending", "Pending"),
                    ("delivered", "Delivered"),
                    ("failed", "Gave up"),
                    ("dead_host", "Host dead"),
                ],
                db_index=True,
                default="pending",
                max_length=32,
            ),
        ),
        migrations.AddField(
            model_name="inboxitem",
            name="due_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.AddField(
            model_name="inboxitem",
            name="last_error",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="inboxitem",
            name="locked_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="inboxitem",
            name="state_attempts",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name="inboxitem",
            name="state_changed_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.AlterField(
            model_name="inboxitem",
            name="state",
            field=models.CharField(
                choices=[
                    ("received", "Received"),
                    ("processed", "Processed"),
                    ("ignored", "Ignored"),
                    ("failed", "Failed"),
                ],
                db_index=True,
                default="received",
                max_length=32,
            ),
        ),
    ]
