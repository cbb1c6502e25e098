"""Domain blocks stored as origins.domain_normalise now gives: Unicode names in punycode, no default port."""

from django.db import migrations


def blocks_punycode(apps, schema_editor):
    from social.federation.origins import domain_normalise

    DomainBlock = apps.get_model("federation", "DomainBlock")
    for block in DomainBlock.objects.all():
        domain = domain_normalise(block.domain)
        if domain == block.domain:
            continue
        if DomainBlock.objects.filter(domain=domain).exists():
            block.delete()  # the same server already blocked under its other spelling
        else:
            DomainBlock.objects.filter(pk=block.pk).update(domain=domain)


class Migration(migrations.Migration):
    dependencies = [("federation", "0002_domain_blocks_normalised")]
    operations = [migrations.RunPython(blocks_punycode, migrations.RunPython.noop)]
