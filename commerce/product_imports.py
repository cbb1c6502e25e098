"""Product imports started from Oscar's dashboard: validate and store the upload, run it, keep the report.

Parsing and writing are `commerce.importers`' (the same code `manage.py import_products` runs); this
module adds what the dashboard needs: a file checked before anything is stored, a row to follow,
a task enqueued once the row is committed, and the report kept on the row.
"""

from __future__ import annotations

import logging
from pathlib import Path

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from oscar.core.loading import get_model

from commerce.importers import ImportReport, products_import, rows_from_source
from commerce.models import ProductImport

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

    from commerce.tasks import product_import_run as product_import_task

    transaction.on_commit(lambda: product_import_task.delay(product_import.pk))
    return product_import


def product_import_run(import_id: int) -> ProductImport | None:
    """Run a stored import through the importer and keep its report; it ends done or failed, never running.

    Rows are keyed by SKU and written in one transaction, so running an import again (a redelivered
    task) updates what the first run created rather than duplicating it. A finished import is left alone.
    """
    updated = ProductImport.objects.filter(
        pk=import_id, state__in=[ProductImport.State.PENDING, ProductImport.State.RUNNING]
    ).update(state=ProductImport.State.RUNNING)
    if not updated:
        return None
    product_import = ProductImport.objects.get(pk=import_id)
    try:
        return _product_import_rows_write(product_import)
    except Exception as exc:  # never leave the row "running": the dashboard would wait forever
        logger.exception("Product import %s failed", import_id)
        product_import.refresh_from_db()
        reason = f"the import stopped on an unexpected error ({exc.__class__.__name__}) and was rolled back"
        return _product_import_finish(product_import, error=reason)


def _product_import_rows_write(product_import: ProductImport) -> ProductImport:
    try:
        with product_import.file.open("rb") as stored:
            rows = product_import_rows(stored.read(), product_import.original_name)
    except (OSError, ProductImportFileError) as exc:
        return _product_import_finish(product_import, error=str(exc))

    product_import.rows_total = len(rows)
    product_import.save(update_fields=["rows_total"])
    # One transaction for the whole file: progress written during it would only show at its end.
    report = products_import(rows, default_producer=product_import.default_producer)
    product_import.rows_done = len(rows)
    _product_import_report_store(product_import, report)
    if report.rejected and not (report.created or report.updated):
        return _product_import_finish(product_import, error="no row could be imported (see the skipped rows)")
    try:
        _catalogue_index_update(report.skus)
    except Exception:  # the products are written; `manage.py update_index` can catch the index up
        logger.exception("Product import %s: the catalogue index was not updated", product_import.pk)
    return _product_import_finish(product_import)


def _product_import_report_store(product_import: ProductImport, report: ImportReport) -> None:
    product_import.created_count = report.created
    product_import.updated_count = report.updated
    product_import.rejected = [[row, reason] for row, reason in report.rejected]


def _product_import_finish(product_import: ProductImport, *, error: str = "") -> ProductImport:
    product_import.state = ProductImport.State.FAILED if error else ProductImport.State.DONE
    product_import.error = error
    product_import.finished_at = timezone.now()
    product_import.save()
    return product_import


def _catalogue_index_update(skus: list[str]) -> None:
    """Index the imported products: the shop's catalogue pages browse through Haystack, not SQL."""
    from haystack import connections

    index = connections["default"].get_unified_index().get_index(Product)
    products = index.index_queryset().filter(upc__in=skus)
    connections["default"].get_backend().update(index, products)
