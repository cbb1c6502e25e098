"""GIN indexes on the plain documents of products and events (PostgreSQL only; SQLite uses LIKE).

They were made from the very expression the search then filtered on, in settings.SEARCH_TEXT_CONFIG
as it is when this runs. 0002 replaced them with stored documents and drops them.
"""

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

# The columns each index covered, and its name (sitesearch/matching.py's, until 0002).
TEXT_INDEXES = {
    "catalogue.Product": (("title", "description", "upc"), "sitesearch_product_text"),
    "schedule.Event": (("title", "description"), "sitesearch_event_text"),
}


def text_document(fields):
    """The plain (unweighted) document of `fields`: what the GIN indexes are made of."""
    return SearchVector(*fields, config=settings.SEARCH_TEXT_CONFIG)


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
