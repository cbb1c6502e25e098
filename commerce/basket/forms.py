"""Oscar's add-to-basket forms, with every line rule (ticket dates, quotas) checked as a form error."""

from django import forms
from oscar.apps.basket import forms as oscar_forms

from commerce.line_rules import line_options, line_refusal
from commerce.variants import variant_choice_label


class VariantRadioSelect(forms.RadioSelect):
    """One radio per variant; a sold-out variant is shown but cannot be chosen."""

    def __init__(self, *args, disabled_values=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.disabled_values = {str(value) for value in disabled_values}

    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.disabled_values:
            option["attrs"]["disabled"] = True
        return option


class AddToBasketForm(oscar_forms.AddToBasketForm):
    def _create_parent_product_fields(self, product):
        """Oscar's variant choice, with each variant's price and stock, as radios: one add-to-basket."""
        offers = [
            (child, self.basket.strategy.fetch_for_product(child)) for child in product.get_public_children()
        ]
        # Smallest (cheapest) first, as sizes are read: 340 g jar, then 1 kg tub.
        offers.sort(key=lambda offer: (not offer[1].price.exists, offer[1].price.excl_tax or 0, offer[0].pk))
        choices = [(child.id, variant_choice_label(child, info)) for child, info in offers]
        disabled = [child.id for child, info in offers if not info.availability.is_available_to_buy]
        first_available = next((child.id for child, _ in offers if child.id not in disabled), None)
        self.fields["child_id"] = forms.ChoiceField(
            choices=choices,
            label="Choose",
            initial=first_available,
            widget=VariantRadioSelect(disabled_values=disabled),
        )

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


class BasketLineForm(oscar_forms.BasketLineForm):
    """Oscar's quantity form; its cross-line check asks only the product's own availability (stock)."""

    def check_max_allowed_quantity(self, qty):
        # Oscar sums every line of the product (a ticket's several dates) and asks the line's
        # availability about that sum. Line rules are per line (a date's quota, counted by the rule
        # across spellings of that date) and check_permission asks them with the line's own quantity;
        # asked about the sum they refused tickets for two dates, through a message that crashed on
        # num_available None. Stock, shared by all lines of a stock record, is still checked summed.
        line = self.instance
        availability = line.purchase_info.availability
        product_availability = getattr(availability, "product_availability", availability)
        delta = qty - line.quantity
        permitted, reason = line.basket.is_quantity_allowed(delta)  # the basket's size threshold
        if permitted:
            total = line.basket.basket_quantity(line) + delta
            permitted, reason = product_availability.is_purchase_permitted(total)
        if not permitted:
            raise forms.ValidationError(reason)


class SavedLineForm(oscar_forms.SavedLineForm):
    """Moving a saved-for-later line back into the basket is held to the same rules as adding it."""

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("move_to_basket"):
            return cleaned
        line = self.instance
        options = line_options(line)
        already = sum(
            other.quantity
            for other in self.basket.all_lines()
            if other.product_id == line.product_id and line_options(other) == options
        )
        refusal = line_refusal(line.product, options, already + line.quantity, basket_id=self.basket.id)
        if refusal is not None:
            raise forms.ValidationError(refusal.message)
        return cleaned


class SimpleAddToBasketForm(oscar_forms.SimpleAddToBasketMixin, AddToBasketForm):
    pass
