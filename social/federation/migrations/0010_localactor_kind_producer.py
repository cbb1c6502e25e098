"""Producers are actors (commerce's ProducerPages); @market publishes, so its summary no longer says
it is coming soon."""

from django.db import migrations, models


def market_summary_update(apps, schema_editor):
    LocalActor = apps.get_model("federation", "LocalActor")
    for actor in LocalActor.objects.filter(username="market", summary__contains=" (coming soon)"):
        actor.summary = actor.summary.replace(" (coming soon)", "")
        actor.save(update_fields=["summary"])


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0009_deliveries_inbox_items_old_columns_removed"),
    ]

    operations = [
        migrations.AlterField(
            model_name="localactor",
            name="kind",
            field=models.CharField(
                choices=[
                    ("blog", "Blog"),
                    ("author", "Author"),
                    ("producer", "Producer"),
                    ("placeholder", "Placeholder"),
                ],
                max_length=20,
            ),
        ),
        migrations.RunPython(market_summary_update, migrations.RunPython.noop),
    ]
