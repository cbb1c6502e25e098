"""Wagtail admin: Oscar's products, categories and partners become choosable in market page blocks.

They are registered as snippets only so the chooser works; Oscar's dashboard stays the place to edit
them, so the viewsets stay out of the menu and expose few fields.
"""

from oscar.core.loading import get_model
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
Partner = get_model("partner", "Partner")


class ProductViewSet(SnippetViewSet):
    model = Product
    icon = "pick"
    menu_label = "Products"
    add_to_admin_menu = False
    list_display = ["title", "upc", "product_class"]
    search_fields = ["title", "upc"]
    search_backend_name = None  # Oscar's models are not in Wagtail's index; search the database
    form_fields = ["title", "description", "is_public"]

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
