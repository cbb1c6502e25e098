"""The base search queryset of the catalogue and search pages: Oscar's, loading each page's products at once.

Oscar's queryset loads every result's product on first touch, one `get()` each, and each of those runs
the product's prefetches again: five or six queries per product shown, so the product list cost grew
with the page. `load_all()` makes Haystack load a page's products with one `in_bulk()` over the
index's read queryset, which runs its prefetches once for the whole page.
"""

from oscar.apps.search import facets
from oscar.apps.search.facets import FacetMunger

__all__ = ["FacetMunger", "base_sqs"]


def base_sqs():
    return facets.base_sqs().load_all()
