"""`import_products`: CSV, JSON feeds and JSON-LD pages become products idempotently; rejects reported."""

import json
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")
FIXTURES = Path(__file__).parent / "fixtures"
pytestmark = pytest.mark.django_db


def _run(source):
    out = StringIO()
    call_command("import_products", str(source), stdout=out)
    return out.getvalue()


def test_import_csv_creates_then_updates_and_reports_rejects(tmp_path):
    report = _run(FIXTURES / "products.csv")
    assert "2 created, 0 updated, 2 rejected" in report
    assert "row 3: missing sku" in report and "row 4: price 'cheap' is not a number" in report
    jam = Product.objects.get(upc="IMP-JAM-1")
    assert jam.categories.get().full_name == "Food > Pantry"
    assert StockRecord.objects.get(partner_sku="IMP-JAM-1").partner.name == "Hillside Farm"

    changed = tmp_path / "products.csv"
    changed.write_text((FIXTURES / "products.csv").read_text().replace("4.10,12", "4.25,3"))
    assert "0 created, 2 updated" in _run(changed)
    record = StockRecord.objects.get(partner_sku="IMP-JAM-1")
    assert (str(record.price), record.num_in_stock) == ("4.25", 3)
    assert Product.objects.filter(upc__startswith="IMP-").count() == 2


def test_import_json_feed(tmp_path):
    feed = tmp_path / "feed.json"
    feed.write_text(
        json.dumps({"products": [{"sku": "F-1", "title": "Leeks", "price": "1.20", "stock": 30}]})
    )
    assert "1 created" in _run(feed)
    assert StockRecord.objects.get(partner_sku="F-1").partner.name == "Imported"


def test_import_jsonld_page_over_http_rejects_other_currency():
    handler = partial(SimpleHTTPRequestHandler, directory=str(FIXTURES))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        report = _run(f"http://127.0.0.1:{server.server_address[1]}/producer_page.html")
    finally:
        server.shutdown()
        server.server_close()
    assert "1 created, 0 updated, 1 rejected" in report and "currency EUR is not GBP" in report
    record = StockRecord.objects.get(partner_sku="MTD-LANC")
    assert (record.product.title, str(record.price), record.num_in_stock) == ("Crumbly Lancashire", "6.40", 7)
    assert record.partner.name == "Moor Top Dairy"
