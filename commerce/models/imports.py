"""A product import started from Oscar's dashboard: the uploaded file, its progress and its report."""

from datetime import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse

from durable.graph import State, StateGraph
from durable.models import StatefulModel, state_field
from durable.retry import RetryPolicy


class ProductImportGraph(StateGraph):
    """Checked, then written, then finished. Writing is keyed by SKU in one transaction, so running it
    again after a killed worker (the lease runs out, the sweep hands it on) updates, never duplicates."""

    pending = State(
        initial=True,
        handler="import_check",
        timeout=120,
        retry=RetryPolicy(max_attempts=3, base_seconds=30),
        transitions=["running", "failed"],
        label="Waiting to run",
    )
    running = State(
        handler="import_write",
        timeout=900,  # a 5 MB file of products, written and indexed
        retry=RetryPolicy(max_attempts=3, base_seconds=60),
        transitions=["done", "failed"],
        label="Running",
    )
    done = State(terminal=True, label="Finished")
    failed = State(terminal=True, failure=True, label="Failed")


class ProductImport(StatefulModel):
    """One uploaded catalogue file run through `commerce.importers` by the durable runner.

    The row is the truth about the import: the runner's task only says "there is work", and the
    handlers write progress and report here so the dashboard can show them while it runs and after.
    """

    state_graph = ProductImportGraph

    file = models.FileField(upload_to="product-imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    default_producer = models.CharField(max_length=128, default="Imported")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    state = state_field(ProductImportGraph)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    # [[row number, reason], ...] as the importer reports them
    rejected = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.original_name} ({self.get_state_display()})"

    def state_admin_url(self) -> str:
        """Its report in Oscar's dashboard (the state machines page links to it)."""
        return reverse("commerce:product-import-detail", args=[self.pk])

    @property
    def is_finished(self) -> bool:
        return self.is_terminal

    @property
    def failure_reason(self) -> str:
        """What the dashboard says when nothing was imported: the importer's reason, else the runner's."""
        if self.error:
            return self.error
        if self.state == ProductImportGraph.failed.name:
            error_type = self.last_error.split(":")[0]
            return f"the import stopped on an unexpected error ({error_type}) and was rolled back"
        return ""

    @property
    def progress_percent(self) -> int:
        return round(100 * self.rows_done / self.rows_total) if self.rows_total else 0

    # Handlers of the graph's states (run by durable.runner outside any transaction).
    def import_check(self, now: datetime) -> str:
        from commerce.product_imports import product_import_check

        return product_import_check(self, now)

    def import_write(self, now: datetime) -> str:
        from commerce.product_imports import product_import_write

        return product_import_write(self, now)
