"""Domain blocks stored in the form blocks.domain_candidates compares with: lower-case, no trailing dot."""

from django.db import migrations


def normalise(apps, schema_editor):
    from social.federation.origins import domain_normalise

    DomainBlock = apps.get_model("federation", "DomainBlock")
    seen = set()
    for block in DomainBlock.objects.order_by("created", "pk"):
        domain = domain_normalise(block.domain)
        if domain in seen or not domain:
            block.delete()  # "Evil.Example." next to "evil.example": one block is enough
            continue
        seen.add(domain)
        if domain != block.domain:
            DomainBlock.objects.filter(pk=block.pk).update(domain=domain)


class Migration(migrations.Migration):
    dependencies = [("federation", "0001_initial")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
