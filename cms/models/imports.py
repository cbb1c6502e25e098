"""What import_ghost has already written, so running it again changes nothing."""

from django.db import models


class GhostImportRecord(models.Model):
    ghost_id = models.CharField(max_length=64, unique=True)
    page = models.OneToOneField("wagtailcore.Page", on_delete=models.CASCADE, related_name="ghost_import")
    content_hash = models.CharField(max_length=64, help_text="SHA-256 of the Ghost post as imported.")
    imported_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"ghost {self.ghost_id} → page {self.page_id}"
