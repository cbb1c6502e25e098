"""On PostgreSQL: products' and events' stored search documents follow every write, with no rebuild."""

import pytest
from django.conf import settings
from django.db import connection
from oscar.core.loading import get_model

from sitesearch.models import EventDocument, ProductDocument
from sitesearch.selectors import events_matching, products_matching
from tests.factories import events as event_factories
from tests.factories.commerce import stocked_product
from tests.migrations import migrate

pytestmark = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="PostgreSQL keeps the documents: run with DATABASE_URL=postgres://…",
)
Product = get_model("catalogue", "Product")


def titles(matches) -> list[str]:
    return [row.title for row in matches]


@pytest.mark.django_db
def test_search_matches_rank_stored_documents_without_parsing_text():
    # The cost this removed: every match's text parsed into a vector again at each search.
    for matches in (products_matching("quince"), events_matching("quince")):
        sql = str(matches.query)
        assert "sitesearch_" in sql and "document" in sql
        assert "to_tsvector" not in sql


@pytest.mark.django_db
def test_product_document_follows_bulk_writes_updates_and_deletes():
    like = stocked_product(title="Quince paste", partner_name="Orchard Farm")
    made = Product.objects.bulk_create(
        [Product(product_class=like.product_class, title="Medlar jelly", upc="BULK-1", slug="medlar-jelly")]
    )[0]
    assert titles(products_matching("medlar")) == ["Medlar jelly"]

    Product.objects.filter(pk=like.pk).update(title="Membrillo", description="Spanish quince cheese.")
    assert titles(products_matching("membrillo")) == ["Membrillo"]
    assert titles(products_matching("spanish")) == ["Membrillo"]  # the description is weighted in too
    assert titles(products_matching("paste")) == []

    Product.objects.filter(pk=made.pk).delete()
    assert not ProductDocument.objects.filter(product_id=made.pk).exists()


@pytest.mark.django_db
def test_product_document_rewritten_only_when_its_text_changes():
    product = stocked_product(title="Quince paste", partner_name="Orchard Farm")

    def document_version() -> str:
        with connection.cursor() as cursor:  # ctid: where the row's current version lies; a write moves it
            cursor.execute(
                "SELECT ctid::text FROM sitesearch_productdocument WHERE product_id = %s", [product.pk]
            )
            return cursor.fetchone()[0]

    written = document_version()
    product.rating = 4.5
    product.save()  # every column written, none of the searched ones changed
    assert document_version() == written
    product.title = "Membrillo"
    product.save()
    assert document_version() != written


@pytest.mark.django_db
def test_event_document_follows_its_title():
    calendar = event_factories.organiser_calendar("Hall")
    event = event_factories.event(
        calendar, "Quince supper", start=event_factories.local(3, 18), end=event_factories.local(3, 21)
    )
    assert titles(events_matching("quince")) == ["Quince supper"]
    event.title = "Medlar supper"
    event.save()
    assert titles(events_matching("medlar")) == ["Medlar supper"] and titles(events_matching("quince")) == []
    event.delete()
    assert not EventDocument.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_documents_backfilled_for_rows_written_before_them(latest_schema_after):
    migrate([("sitesearch", "0001_text_indexes")])
    product = stocked_product(title="Quince paste", partner_name="Orchard Farm")
    calendar = event_factories.organiser_calendar("Hall")
    event_factories.event(
        calendar, "Quince supper", start=event_factories.local(3, 18), end=event_factories.local(3, 21)
    )

    migrate([("sitesearch", "0003_search_documents_backfill")])
    assert titles(products_matching("quince")) == [product.title]
    assert titles(events_matching("quince")) == ["Quince supper"]
