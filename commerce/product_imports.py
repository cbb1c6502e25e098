"""Product imports started from Oscar's dashboard: validate and store the upload, run it, keep the report.

Parsing and writing are `commerce.importers`' (the same code `manage.py import_products` runs); this
module adds what the dashboard needs: a file checked before anything is stored, a row to follow
(a durable state machine: pending, running, done or failed), the handlers the one runner calls for
its states, and the report kept on the row.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from oscar.core.loading import get_model

from commerce.importers import ImportReport, products_import, rows_from_source
from commerce.models import ProductImport
from durable.runner import advance_on_commit

logger = logging.getLogger(__name__)
Product = get_model("catalogue", "Product")

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class ProductImportFileError(ValueError):
    """The file cannot be read as a product file at all (as opposed to rows the importer rejects)."""


def product_import_rows(data: bytes, filename: str) -> list[dict]:
    """The import rows in an uploaded file, or ProductImportFileError saying why there are none."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise ProductImportFileError(f"the file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    try:
        text = data.decode("utf-8-sig")  # spreadsheets often save CSV with a byte-order mark
    except UnicodeDecodeError:
        raise ProductImportFileError("the file is not UTF-8 text (CSV, JSON or an HTML page)") from None
    if not text.strip():
        raise ProductImportFileError("the file is empty")
    try:
        rows = rows_from_source(text, hint=Path(filename).suffix)
    except ValueError as exc:  # json.JSONDecodeError is a ValueError; so are our shape checks
        raise ProductImportFileError(f"the file could not be read: {exc}") from None
    except Exception as exc:  # the HTML and JSON-LD parsers have errors of their own; all mean "unreadable"
        logger.warning("Product file %r could not be parsed", filename, exc_info=True)
        raise ProductImportFileError(f"the file could not be read ({exc.__class__.__name__})") from None
    if not rows:
        raise ProductImportFileError("no products were found in the file")
    # Without a SKU anywhere every row would be rejected: this is not a product file (or its CSV
    # header is wrong), which deserves one clear message rather than a rejection per row.
    if not any(str(row.get("sku") or "").strip() for row in rows):
        raise ProductImportFileError("no row has a sku: a product file needs a sku column or field")
    return rows


def product_import_create(upload: UploadedFile, *, user, default_producer: str = "Imported") -> ProductImport:
    """Check the upload, store it with a pending import row, and run it once the row is committed."""
    if upload.size and upload.size > MAX_UPLOAD_BYTES:  # refuse before reading it into memory
        raise ProductImportFileError(f"the file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    data = upload.read()
    rows = product_import_rows(data, upload.name)  # raises before anything is stored
    upload.seek(0)
    product_import = ProductImport(
        original_name=Path(upload.name).name[:255],
        default_producer=default_producer or "Imported",
        uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        rows_total=len(rows),
    )
    product_import.file.save(Path(upload.name).name, upload, save=False)
    product_import.save()
    # The durable runner works it after commit; if that message is lost, its sweep finds the row.
    advance_on_commit(product_import)
    return product_import


def product_import_check(product_import: ProductImport, now: datetime) -> str:
    """Handler of `pending`: the stored file still reads as products (else `failed`, saying why)."""
    try:
        rows = _product_import_stored_rows(product_import)
    except ProductImportFileError as exc:
        return _product_import_finish(product_import, now, error=str(exc))
    product_import.rows_total = len(rows)
    product_import.save(update_fields=["rows_total"])
    return "running"


def product_import_write(product_import: ProductImport, now: datetime) -> str:
    """Handler of `running`: write the rows and keep the report; `done`, or `failed` if no row could be.

    Rows are keyed by SKU and written in one transaction, so running it again (a worker killed
    mid-file, its lease expired and the sweep handed it on) updates what a first run wrote rather
    than duplicating it. An unexpected error propagates: the runner retries, then fails the import.
    """
    try:
        rows = _product_import_stored_rows(product_import)
    except ProductImportFileError as exc:
        return _product_import_finish(product_import, now, error=str(exc))
    # One transaction for the whole file: progress written during it would only show at its end.
    report = products_import(rows, default_producer=product_import.default_producer)
    product_import.rows_total = product_import.rows_done = len(rows)
    _product_import_report_store(product_import, report)
    if report.rejected and not (report.created or report.updated):
        return _product_import_finish(
            product_import, now, error="no row could be imported (see the skipped rows)"
        )
    # Nothing to index: the catalogue and the site search read the product rows themselves.
    return _product_import_finish(product_import, now)


def _product_import_stored_rows(product_import: ProductImport) -> list[dict]:
    try:
        with product_import.file.open("rb") as stored:
            return product_import_rows(stored.read(), product_import.original_name)
    except OSError as exc:
        raise ProductImportFileError(str(exc)) from None


def _product_import_report_store(product_import: ProductImport, report: ImportReport) -> None:
    product_import.created_count = report.created
    product_import.updated_count = report.updated
    product_import.rejected = [[row, reason] for row, reason in report.rejected]


def _product_import_finish(product_import: ProductImport, now: datetime, *, error: str = "") -> str:
    """Keep the report and say where the import ends; the runner records the state itself."""
    product_import.error = error
    product_import.finished_at = now
    # Only the import's own columns: the state and its lease are the runner's to write.
    product_import.save(
        update_fields=[
            "error",
            "finished_at",
            "rows_total",
            "rows_done",
            "created_count",
            "updated_count",
            "rejected",
        ]
    )
    return "failed" if error else "done"
