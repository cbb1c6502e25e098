"""Haystack finds indexes in each installed app's search_indexes module: Oscar's product index, with
the catalogue's reads prefetching what a parent product's card needs."""

from oscar.apps.search import search_indexes as oscar_search_indexes
from oscar.core.loading import get_model

Product = get_model("catalogue", "Product")


class ProductIndex(oscar_search_indexes.ProductIndex):
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
