"""Thin Celery tasks for commerce: run a product import uploaded in the dashboard."""

from celery import shared_task

from commerce import product_imports


@shared_task(name="commerce.product_import_run")
def product_import_run(import_id: int) -> None:
    # The ProductImport row holds the file, the progress and the report; the task only runs it.
    product_imports.product_import_run(import_id)
