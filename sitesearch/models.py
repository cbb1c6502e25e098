"""The stored search documents of the rows Wagtail does not index: products and events.

One row per product or event holds its weighted tsvector (the title A, the description B, a
product's UPC C), so a search reads a GIN index and ranks stored vectors instead of parsing every
text it finds. PostgreSQL writes these rows itself: triggers on catalogue_product and schedule_event
(sitesearch/migrations/0002) insert, update and delete them in the writing statement, whatever
wrote it (a form, the importer, bulk_create, a queryset update), so nothing is rebuilt and a saved
product is found at once. On SQLite the tables stay empty: matching there is a LIKE
(sitesearch/matching.py).
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class ProductDocument(models.Model):
    # No foreign key constraint and nothing for Django to cascade: the trigger that deletes the
    # product deletes its document in the same statement.
    product = models.OneToOneField(
        "catalogue.Product",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="search_document",
    )
    vector = SearchVectorField()

    def __str__(self) -> str:
        return f"search document of product {self.product_id}"


class EventDocument(models.Model):
    event = models.OneToOneField(
        "schedule.Event",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="search_document",
    )
    vector = SearchVectorField()

    def __str__(self) -> str:
        return f"search document of event {self.event_id}"
