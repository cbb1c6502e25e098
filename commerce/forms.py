"""Commerce forms: the dashboard's product import upload."""

from django import forms

from commerce.product_imports import ProductImportFileError, product_import_create


class ProductImportForm(forms.Form):
    file = forms.FileField(
        label="Product file",
        help_text="A CSV or JSON feed (sku, title, price, stock, producer, category), "
        "or a producer's saved web page with schema.org/Product JSON-LD.",
    )
    producer = forms.CharField(
        max_length=128,
        initial="Imported",
        required=False,
        help_text="The producer for rows that name none.",
    )

    def save(self, user):
        """The new import, or a form error on `file` (and nothing stored) if the file is unreadable."""
        try:
            return product_import_create(
                self.cleaned_data["file"], user=user, default_producer=self.cleaned_data["producer"]
            )
        except ProductImportFileError as exc:
            self.add_error("file", f"Nothing was imported: {exc}.")
            return None
