"""A product import started from Oscar's dashboard: the uploaded file, its progress and its report."""

from django.conf import settings
from django.db import models


class ProductImport(models.Model):
    """One uploaded catalogue file run through `commerce.importers` by a Celery task.

    The row is the truth about the import: the task only says "there is work", and writes its
    progress and report here so the dashboard can show them while it runs and afterwards.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to run"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    FINISHED_STATES = (State.DONE, State.FAILED)

    file = models.FileField(upload_to="product-imports/%Y/%m/")
    original_name = models.CharField(max_length=255)
    default_producer = models.CharField(max_length=128, default="Imported")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
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

    @property
    def is_finished(self) -> bool:
        return self.state in self.FINISHED_STATES

    @property
    def progress_percent(self) -> int:
        return round(100 * self.rows_done / self.rows_total) if self.rows_total else 0
