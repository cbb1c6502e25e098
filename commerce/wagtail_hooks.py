"""Wagtail admin: Oscar's products, categories and partners become choosable in market page blocks.

They are registered as snippets only so the chooser works; Oscar's dashboard stays the place to edit
them, so the viewsets stay out of the menu and expose few fields.
"""

from django import forms
from django.db.models import Q
from oscar.core.loading import get_model
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet
from wagtail.snippets.views.snippets import SnippetViewSet

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
Partner = get_model("partner", "Partner")


class ProductChooserSearchForm(BaseFilterForm):
    """Search the product chooser by title or UPC in the database.

    Wagtail's chooser only offers search for models in its own search index, and Oscar's products
    are indexed by Haystack for the shop instead; a database search over two columns is enough here.
    """

    q = forms.CharField(
        label="Search term",
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "Title or UPC"}),
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            objects = objects.filter(Q(title__icontains=query) | Q(upc__istartswith=query))
            self.is_searching = True
            self.search_query = query
        return objects


class ProductChooseViewMixin:
    filter_form_class = ProductChooserSearchForm

    def get_object_list(self):
        # Market blocks show product cards: parents and standalones, never a parent's variants.
        return Product.objects.browsable().select_related("product_class")


class ProductChooseView(ProductChooseViewMixin, ChooseView):
    pass


class ProductChooseResultsView(ProductChooseViewMixin, ChooseResultsView):
    pass


class ProductChooserViewSet(SnippetChooserViewSet):
    choose_view_class = ProductChooseView
    choose_results_view_class = ProductChooseResultsView


class ProductViewSet(SnippetViewSet):
    model = Product
    icon = "pick"
    menu_label = "Products"
    add_to_admin_menu = False
    list_display = ["title", "upc", "product_class"]
    search_fields = ["title", "upc"]
    search_backend_name = None  # Oscar's models are not in Wagtail's index; search the database
    form_fields = ["title", "description", "is_public"]
    chooser_viewset_class = ProductChooserViewSet

    def get_queryset(self, request):
        return Product.objects.browsable().select_related("product_class")


class CategoryViewSet(SnippetViewSet):
    model = Category
    icon = "folder-open-inverse"
    add_to_admin_menu = False
    list_display = ["name", "slug"]
    search_fields = ["name"]
    search_backend_name = None
    form_fields = ["name", "description"]


class PartnerViewSet(SnippetViewSet):
    model = Partner
    icon = "group"
    menu_label = "Producers"
    add_to_admin_menu = False
    list_display = ["name", "code"]
    search_fields = ["name"]
    search_backend_name = None
    form_fields = ["name"]


register_snippet(ProductViewSet)
register_snippet(CategoryViewSet)
register_snippet(PartnerViewSet)
