"""Haystack finds indexes in each installed app's search_indexes module: Oscar's product index, with
the catalogue's reads prefetching what a parent product's card needs."""

from haystack import indexes
from oscar.apps.search import search_indexes as oscar_search_indexes
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")


class ProductIndex(oscar_search_indexes.ProductIndex):
    # The catalogue's facets show the indexed values as they are. Whoosh stems text fields, so the
    # product class "Crafts" was offered as "craft" and "Bakery" as "bakeri"; multi-value fields are
    # Whoosh keywords, kept whole. The facets themselves are OSCAR_SEARCH_FACETS (settings).
    product_class = indexes.MultiValueField(null=True)
    category_name = indexes.MultiValueField(null=True)

    def prepare_product_class(self, obj):
        return [obj.get_product_class().name]

    def prepare_category_name(self, obj):
        return sorted({category.name for category in obj.get_categories().all()})

    def read_queryset(self, using=None):
        # A parent's price and availability come from its public variants' stock records (Oscar's
        # Structured strategy reads `get_public_children()`); without this prefetch each parent
        # on a page of results costs two queries.
        return (
            super()
            .read_queryset(using)
            .prefetch_public_children(Product.objects.public().prefetch_related("stockrecords"))
        )


__all__ = ["ProductIndex"]
