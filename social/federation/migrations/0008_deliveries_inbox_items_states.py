"""Each delivery's and inbox item's old columns become its state on the one runner.

A migration of its own, like accounts' 0006: on PostgreSQL, schema changes are refused in a transaction
that has written rows with pending deferred foreign-key checks, so the columns are added (0007) and
dropped (0009) around it."""

from django.db import migrations
from django.db.models import F
from django.db.models.functions import Coalesce


def deliveries_and_items_to_states(apps, schema_editor):
    """The state names stay; what the old sweep read moves to the runner's columns. A pending delivery
    keeps its tries and its next try (`next_attempt` was also the old claim's lease, so a delivery a
    worker held at the upgrade is tried again when that lease would have run out, as before), and its
    three days before giving up count from its creation. A received item is left due: the durable
    sweep processes whatever the old queue still held."""
    Delivery = apps.get_model("federation", "Delivery")
    InboxItem = apps.get_model("federation", "InboxItem")
    Delivery.objects.filter(state="pending").update(
        state_attempts=F("attempts"), due_at=F("next_attempt"), state_changed_at=F("created")
    )
    Delivery.objects.exclude(state="pending").update(state_changed_at=Coalesce("delivered", "created"))
    InboxItem.objects.update(last_error=F("error"), state_changed_at=Coalesce("processed", "received"))


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0007_deliveries_inbox_items_durable"),
    ]

    operations = [
        migrations.RunPython(deliveries_and_items_to_states, migrations.RunPython.noop),
    ]
