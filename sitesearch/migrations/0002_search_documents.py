"""Stored, weighted search documents for products and events, kept by PostgreSQL triggers.

On PostgreSQL: a GIN index on each document's vector, and a trigger on each source table that
writes the document in the same statement as the row (insert, a change to a searched column,
delete). The GIN expression indexes of 0001 go: nothing filters on them any more. The documents
of the rows already there are written by 0003. SQLite gets the two tables only.

The text configuration (settings.SEARCH_TEXT_CONFIG) is written into the trigger functions when this
runs: another language later needs them made again (`migrate sitesearch 0001 && migrate sitesearch`).
Adding a table, an index on it and a trigger locks no row of the source tables; a trigger is created
under a short lock that waits for writes in progress.
"""

import importlib

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import migrations, models

# source table, its key, document table, document key, (column, weight) most telling first
DOCUMENTS = (
    (
        "catalogue_product",
        "id",
        "sitesearch_productdocument",
        "product_id",
        (("title", "A"), ("description", "B"), ("upc", "C")),
    ),
    ("schedule_event", "id", "sitesearch_eventdocument", "event_id", (("title", "A"), ("description", "B"))),
)
text_indexes = importlib.import_module("sitesearch.migrations.0001_text_indexes")


def weighted_vector(config: str, row: str, columns) -> str:
    """The SQL of a row's weighted document; 0003 backfills with this very expression."""
    return " || ".join(
        f"setweight(to_tsvector({config}::regconfig, coalesce({row}.{column}::text, '')), '{weight}')"
        for column, weight in columns
    )


def triggers_create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    config = schema_editor.quote_value(settings.SEARCH_TEXT_CONFIG)
    for table, key, documents, document_key, columns in DOCUMENTS:
        function = f"{documents}_write"
        changed = " OR ".join(f"OLD.{column} IS DISTINCT FROM NEW.{column}" for column, _ in columns)
        schema_editor.execute(f"CREATE INDEX {documents}_vector ON {documents} USING gin (vector)")
        schema_editor.execute(f"""
            CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' THEN
                    DELETE FROM {documents} WHERE {document_key} = OLD.{key};
                    RETURN OLD;
                END IF;
                INSERT INTO {documents} ({document_key}, vector)
                VALUES (NEW.{key}, {weighted_vector(config, "NEW", columns)})
                ON CONFLICT ({document_key}) DO UPDATE SET vector = EXCLUDED.vector;
                RETURN NEW;
            END $$
        """)
        schema_editor.execute(
            f"CREATE TRIGGER {documents}_insert_delete AFTER INSERT OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {function}()"
        )
        # Saving a product writes every column: only a change to a searched one rewrites its document.
        schema_editor.execute(
            f"CREATE TRIGGER {documents}_update AFTER UPDATE ON {table} "
            f"FOR EACH ROW WHEN ({changed}) EXECUTE FUNCTION {function}()"
        )
    text_indexes.indexes_drop(apps, schema_editor)


def triggers_drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    text_indexes.indexes_create(apps, schema_editor)
    for table, _, documents, _, _ in DOCUMENTS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {documents}_insert_delete ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {documents}_update ON {table}")
        schema_editor.execute(f"DROP FUNCTION IF EXISTS {documents}_write()")


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0032_category_exclude_from_menu_category_long_description"),
        ("schedule", "0015_rename_indexes"),
        ("sitesearch", "0001_text_indexes"),
    ]

    operations = [
        migrations.CreateModel(
            name="EventDocument",
            fields=[
                (
                    "event",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="schedule.event",
                    ),
                ),
                ("vector", SearchVectorField()),
            ],
        ),
        migrations.CreateModel(
            name="ProductDocument",
            fields=[
                (
                    "product",
                    models.OneToOneField(
                        db_constraint=False,
                        on_delete=models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="catalogue.product",
                    ),
                ),
                ("vector", SearchVectorField()),
            ],
        ),
        migrations.RunPython(triggers_create, triggers_drop, elidable=False),
    ]
