"""Move what social.FederatedObject knew (state, page id, creating activity) onto federation's object rows.

A row of ours that was only ever decided about (no object built yet) becomes an object row without an
actor: the transport builds it on the next publish. social.Activity rows are not moved: each is the
RecordActivity effect of its flow, still in the flow log (FlowEffect.data), and federation's Activity
holds every activity that was sent.
"""

from django.db import migrations


def states_forward(apps, schema_editor):
    Old = apps.get_model("social", "FederatedObject")
    New = apps.get_model("federation", "FederatedObject")
    for old in Old.objects.iterator():
        New.objects.update_or_create(
            object_key=old.object_key,
            defaults={
                "page_id": old.page_id,
                "state": old.state,
                "created_activity_id": old.created_activity_id,
            },
        )


def states_backward(apps, schema_editor):
    Old = apps.get_model("social", "FederatedObject")
    New = apps.get_model("federation", "FederatedObject")
    for new in New.objects.iterator():
        Old.objects.update_or_create(
            object_key=new.object_key,
            defaults={"page_id": new.page_id, "state": new.state, "created_activity_id": new.created_activity_id},
        )
    New.objects.filter(actor__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("federation", "0004_object_state"),
        ("social", "0002_flow_revision_id"),
    ]
    operations = [migrations.RunPython(states_forward, states_backward)]
