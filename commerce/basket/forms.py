"""Oscar's add-to-basket forms, with every line rule (ticket dates, quotas) checked as a form error."""

from django import forms
from oscar.apps.basket import forms as oscar_forms

from commerce.line_rules import line_refusal


class AddToBasketForm(oscar_forms.AddToBasketForm):
    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        options = {entry["option"].code: entry["value"] for entry in self.cleaned_options()}
        info = self.basket.strategy.fetch_for_product(self.product)
        already = self.basket.line_quantity(self.product, info.stockrecord, self.cleaned_options())
        refusal = line_refusal(
            self.product, options, already + cleaned.get("quantity", 1), basket_id=self.basket.id
        )
        if refusal is not None:
            if refusal.option_code in self.fields:
                self.add_error(refusal.option_code, refusal.message)
            else:
                raise forms.ValidationError(refusal.message)
        return cleaned


class SimpleAddToBasketForm(oscar_forms.SimpleAddToBasketMixin, AddToBasketForm):
    pass
