"""The catalogue's browse views in SQL (Oscar's own are Haystack's).

Oscar's catalogue app loads CatalogueView and ProductCategoryView from here by name (`get_class`).
"""

from urllib.parse import unquote

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext_lazy as _
from django.views.generic import ListView
from oscar.core.loading import get_model

from commerce.search.facets import facet_data, products_narrowed, selected_facets
from commerce.search.forms import BrowseCategoryForm, CategoryForm
from commerce.selectors import products_for_catalogue

Category = get_model("catalogue", "Category")
Product = get_model("catalogue", "Product")


class CatalogueView(ListView):
    """Every browsable product, narrowed by the chosen facets, one page at a time."""

    form_class = BrowseCategoryForm
    context_object_name = "products"
    template_name = "oscar/catalogue/browse.html"
    paginate_by = settings.OSCAR_PRODUCTS_PER_PAGE
    summary = _("All products")

    def get(self, request, *args, **kwargs):
        try:
            return super().get(request, *args, **kwargs)
        except Http404:
            messages.error(request, _("The given page number was invalid."))
            return redirect(self.first_page_url())

    def first_page_url(self) -> str:
        return self.request.path

    def get_form(self):
        return self.form_class(self.request.GET)

    def base_products(self):
        return products_for_catalogue()

    def get_queryset(self):
        self.form = self.get_form()
        self.selected = selected_facets(self.request.GET.getlist("selected_facets"))
        self.narrowed = products_narrowed(self.base_products(), self.selected)
        return self.narrowed.order_by(*self.form.ordering())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        facets = facet_data(self.narrowed, self.request.GET, self.selected)
        context.update(
            summary=self.summary,
            form=self.form,
            facet_data=facets,
            has_facets=any(facet["results"] for facet in facets.values()),
            selected_facets=self.request.GET.getlist("selected_facets"),
            page=context["page_obj"],
        )
        return context


class ProductCategoryView(CatalogueView):
    """A category's products (its subcategories' too), as Oscar's view: staff see hidden categories."""

    form_class = CategoryForm
    template_name = "oscar/catalogue/category.html"

    def get(self, request, *args, **kwargs):
        self.category = get_object_or_404(Category, pk=self.kwargs["pk"])
        if not (self.category.is_public or request.user.is_staff):
            raise Http404()
        # Categories are found by primary key so a renamed one keeps its links; the slug is corrected.
        if unquote(self.category.get_absolute_url()) != unquote(request.path):
            return HttpResponsePermanentRedirect(self.category.get_absolute_url())
        return super().get(request, *args, **kwargs)

    def first_page_url(self) -> str:
        return self.category.get_absolute_url()

    def get_form(self):
        return self.form_class(self.category.get_descendants_and_self(), self.request.GET)

    def base_products(self):
        in_category = Product.objects.filter(categories__in=self.category.get_descendants_and_self())
        return super().base_products().filter(pk__in=in_category.values("pk"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["category"] = self.category
        return context
