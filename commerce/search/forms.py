"""The catalogue's forms without Haystack: the query box Oscar's templates read, and the sort order."""

from django import forms
from django.utils.translation import gettext_lazy as _

# The sort orders the catalogue offers: a field of the product row each, so SQL sorts and pages them.
SORT_ORDERS = {
    "newest": ("-date_created", "-pk"),
    "title-asc": ("title", "pk"),
    "title-desc": ("-title", "-pk"),
}


class SearchInput(forms.TextInput):
    input_type = "search"


class SearchForm(forms.Form):
    """What Oscar's `search_form` context processor and templates expect: `q` and `sort_by`."""

    q = forms.CharField(
        required=False,
        label=_("Search"),
        widget=SearchInput({"placeholder": _("Search"), "class": "form-control"}),
    )
    sort_by = forms.ChoiceField(
        label=_("Sort by"),
        choices=[
            ("newest", _("Newest")),
            ("title-asc", _("Title A to Z")),
            ("title-desc", _("Title Z to A")),
        ],
        required=False,
    )

    def ordering(self) -> tuple[str, ...]:
        sort_by = self.cleaned_data.get("sort_by") if self.is_valid() else ""
        return SORT_ORDERS.get(sort_by or "newest", SORT_ORDERS["newest"])


class BrowseCategoryForm(SearchForm):
    """Oscar's name for the catalogue's form; browsing shows every product, so it adds nothing."""


class CategoryForm(BrowseCategoryForm):
    def __init__(self, categories=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = categories
