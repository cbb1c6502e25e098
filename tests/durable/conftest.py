"""Durable's database tests use a real stateful model, the product import: no test-only model to migrate."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from commerce.models import ProductImport

FEED = b'[{"sku": "D-1", "title": "Leeks", "price": "1.20", "stock": 3}]'


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def make_import():
    def make(data: bytes = FEED, **fields) -> ProductImport:
        product_import = ProductImport.objects.create(original_name="feed.json", **fields)
        product_import.file.save("feed.json", SimpleUploadedFile("feed.json", data), save=True)
        return product_import

    return make


@pytest.fixture
def stock_record_insert_fails_for_boom():
    """A database that refuses one row mid-import: an error the importer's checks cannot foresee."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "CREATE FUNCTION durable_boom() RETURNS trigger AS $$ BEGIN "
                "IF NEW.partner_sku = 'BOOM' THEN RAISE EXCEPTION 'boom'; END IF; RETURN NEW; END; "
                "$$ LANGUAGE plpgsql"
            )
            cursor.execute(
                "CREATE TRIGGER durable_boom BEFORE INSERT ON partner_stockrecord "
                "FOR EACH ROW EXECUTE FUNCTION durable_boom()"
            )
        else:
            cursor.execute(
                "CREATE TRIGGER durable_boom BEFORE INSERT ON partner_stockrecord "
                "WHEN NEW.partner_sku = 'BOOM' BEGIN SELECT RAISE(ABORT, 'boom'); END"
            )
