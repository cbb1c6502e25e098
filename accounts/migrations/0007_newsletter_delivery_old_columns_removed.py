from django.db import migrations


class Migration(migrations.Migration):
    """The columns 0006 read to give each delivery its state, removed once that has committed."""

    dependencies = [
        ("accounts", "0006_newsletter_delivery_states"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="newsletterdelivery",
            name="claimed_at",
        ),
        migrations.RemoveField(
            model_name="newsletterdelivery",
            name="status",
        ),
    ]
