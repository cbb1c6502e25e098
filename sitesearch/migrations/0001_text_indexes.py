"""GIN indexes on the plain documents of products and events (PostgreSQL only; SQLite uses LIKE).

They are made from sitesearch.matching.text_document, the very expression the search filters on, in
settings.SEARCH_TEXT_CONFIG as it is when this runs: another language later needs them made again
(`migrate sitesearch zero` then `migrate sitesearch`).
"""

from django.contrib.postgres.indexes import GinIndex
from django.db import migrations

from sitesearch.matching import TEXT_INDEXES, text_document


def indexes_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for label, (fields, name) in TEXT_INDEXES.items():
        schema_editor.add_index(apps.get_model(label), GinIndex(text_document(fields), name=name))


def indexes_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for label, (fields, name) in TEXT_INDEXES.items():
        schema_editor.remove_index(apps.get_model(label), GinIndex(text_document(fields), name=name))


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0032_category_exclude_from_menu_category_long_description"),
        ("schedule", "0015_rename_indexes"),
    ]

    operations = [migrations.RunPython(indexes_create, indexes_drop, elidable=False)]
