from django.db import migrations


class Migration(migrations.Migration):
    """The columns 0008 read to give each delivery and inbox item its state, removed once that has committed."""

    dependencies = [
        ("federation", "0008_deliveries_inbox_items_states"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="delivery",
            name="attempts",
        ),
        migrations.RemoveField(
            model_name="delivery",
            name="next_attempt",
        ),
        migrations.RemoveField(
            model_name="inboxitem",
            name="error",
        ),
    ]
