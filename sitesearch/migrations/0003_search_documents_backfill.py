"""Data migration: the search documents of the products and events that were there before 0002.

Rows written since 0002 already have theirs (its triggers): those are left as they are. One
INSERT … SELECT per table, which reads the source rows and locks none of them.
"""

import importlib

from django.conf import settings
from django.db import migrations

documents = importlib.import_module("sitesearch.migrations.0002_search_documents")


def documents_backfill(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    config = schema_editor.quote_value(settings.SEARCH_TEXT_CONFIG)
    for table, key, document_table, document_key, columns in documents.DOCUMENTS:
        schema_editor.execute(
            f"INSERT INTO {document_table} ({document_key}, vector) "
            f"SELECT source.{key}, {documents.weighted_vector(config, 'source', columns)} FROM {table} source "
            f"ON CONFLICT ({document_key}) DO NOTHING"
        )


class Migration(migrations.Migration):
    dependencies = [("sitesearch", "0002_search_documents")]

    # Backwards: 0002's reverse drops the documents with their tables.
    operations = [migrations.RunPython(documents_backfill, migrations.RunPython.noop, elidable=False)]
