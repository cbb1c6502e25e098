from django.db import migrations


class Migration(migrations.Migration):
    """Bookings on the one runner, step 3 of 3: the column 0008 read to give each booking its state,
    and its index, removed once that has committed."""

    dependencies = [
        ("events", "0008_booking_states"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="booking",
            name="events_book_ticket__b816d4_idx",
        ),
        migrations.RemoveField(
            model_name="booking",
            name="status",
        ),
    ]
