"""Payment attempts and refunds become rows of the one runner: its columns, their graphs' states."""

import django.utils.timezone
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
# The old values stay allowed until 0007 has moved each row to its new state.
OLD_REFUND_STATES = [("pending", "To send"), ("sending", "Being sent")]
REFUND_STATES = [("owed", "To send to SumUp"), ("sent", "Refunded"), ("failed", "Gave up; staff must refund by hand")]


def durable_columns(model_name):
    return [
        migrations.AddField(
            model_name=model_name,
            name="due_at",
            field=models.DateTimeField(blank=True, db_index=True, null=True),
        ),
        migrations.AddField(
            model_name=model_name,
            name="locked_until",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name=model_name,
            name="state_attempts",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.AddField(
            model_name=model_name,
            name="state_changed_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
    ]


class Migration(migrations.Migration):
    dependencies = [
        ("commerce", "0005_product_import_durable"),
    ]

    operations = [
        *durable_columns("paymentattempt"),
        migrations.AddField(
            model_name="paymentattempt",
            name="last_error",
            field=models.TextField(blank=True),
        ),
        migrations.AddField(
            model_name="paymentattempt",
            name="paid_amount",
            field=models.DecimalField(blank=True, decimal_places=2, max_digits=12, null=True),
        ),
        migrations.AddField(
            model_name="paymentattempt",
            name="paid_currency",
            field=models.CharField(blank=True, max_length=3),
        ),
        migrations.AlterField(
            model_name="paymentattempt",
            name="state",
            field=models.CharField(
                choices=ATTEMPT_STATES + [("failed", "Payment failed")],
                db_index=True,
                default="pending",
                max_length=32,
            ),
        ),
        *durable_columns("paymentrefund"),
        migrations.AddField(
            model_name="paymentrefund",
            name="error",
            field=models.CharField(blank=True, max_length=255),
        ),
        migrations.AlterField(
            model_name="paymentrefund",
            name="last_error",
            field=models.TextField(blank=True),
        ),
        migrations.AlterField(
            model_name="paymentrefund",
            name="state",
            field=models.CharField(
                choices=REFUND_STATES + OLD_REFUND_STATES, db_index=True, default="owed", max_length=32
            ),
        ),
    ]
