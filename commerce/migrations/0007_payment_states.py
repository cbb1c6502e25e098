"""Each payment attempt's and refund's old state becomes its state on the one runner.

A migration of its own: on PostgreSQL the rows it writes leave deferred checks pending until commit,
and the schema changes around it (0006's columns, 0008's dropped ones) are refused in the same
transaction."""

from django.db import migrations
from django.db.models import F, Q
from django.db.models.functions import Coalesce


def payments_to_states(apps, schema_editor):
    """Names kept where the meaning is: pending, placed, refunding, refunded, expired, cancelled and
    flagged. `failed` meant two things: a card declined at SumUp (`declined`) or SumUp unreachable
    when the checkout was created (`start_failed`, its note says so). A pending attempt is due now:
    the runner's first look asks SumUp and then rests it until its validity, as the old sweep would
    have. An attempt `refunding` is due now too: its handler follows the refund owed.

    Refunds: `pending` is `owed`; `sending` is `owed` as well, since a worker that died mid-send left
    it so and SumUp answers a resend under the same Idempotency-Key with the first refund. The old
    error text is what staff read (`error`)."""
    PaymentAttempt = apps.get_model("commerce", "PaymentAttempt")
    PaymentRefund = apps.get_model("commerce", "PaymentRefund")
    attempts = PaymentAttempt.objects.all()
    attempts.update(state_changed_at=F("updated_at"), due_at=None, locked_until=None, state_attempts=0)
    failed = attempts.filter(state="failed")
    failed.filter(note__startswith="SumUp checkout creation failed").update(state="start_failed")
    failed.update(state="declined")
    refunds = PaymentRefund.objects.all()
    refunds.update(
        state_changed_at=Coalesce("sent_at", "claimed_at", "created_at"),
        due_at=None,
        locked_until=None,
        state_attempts=0,
        error=F("last_error"),
    )
    refunds.filter(Q(state="pending") | Q(state="sending")).update(state="owed")


class Migration(migrations.Migration):
    dependencies = [
        ("commerce", "0006_payments_durable"),
    ]

    operations = [
        migrations.RunPython(payments_to_states, migrations.RunPython.noop),
    ]
