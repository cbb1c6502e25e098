"""The columns and state values 0007 read, removed once that has committed (the runner's lease and
attempts replace the refund's `claimed_at` and `tries`)."""

from django.db import migrations, models

ATTEMPT_STATES = [
    ("pending", "Waiting for the shopper to pay at SumUp"),
    ("returned", "Shopper came back; asking SumUp whether they paid"),
    ("paid", "Paid; placing the order"),
    ("refunding", "Paid, but the order could not be placed; refunding"),
    ("placed", "Paid; order placed"),
    ("refunded", "Paid, order not placed; refunded in full"),
    ("declined", "Payment declined; nothing paid"),
    ("expired", "Checkout expired unpaid"),
    ("cancelled", "Shopper left without paying"),
    ("start_failed", "SumUp could not be reached; nothing paid"),
    ("flagged", "Needs staff attention"),
]
REFUND_STATES = [("owed", "To send to SumUp"), ("sent", "Refunded"), ("failed", "Gave up; staff must refund by hand")]


class Migration(migrations.Migration):
    dependencies = [
        ("commerce", "0007_payment_states"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="paymentrefund",
            name="claimed_at",
        ),
        migrations.RemoveField(
            model_name="paymentrefund",
            name="tries",
        ),
        migrations.AlterField(
            model_name="paymentattempt",
            name="state",
            field=models.CharField(choices=ATTEMPT_STATES, db_index=True, default="pending", max_length=32),
        ),
        migrations.AlterField(
            model_name="paymentrefund",
            name="state",
            field=models.CharField(choices=REFUND_STATES, db_index=True, default="owed", max_length=32),
        ),
    ]
