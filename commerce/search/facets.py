"""The catalogue's facets (category, kind of product) counted in SQL, shaped as Oscar's templates read them.

`facet_data` has the shape of Oscar's FacetMunger output, so oscar/search/partials/facet.html renders
it unchanged. A facet is named by its value as staff named it ("Dairy & eggs"); the selected ones
arrive as `selected_facets=<field>:<value>` (Oscar's parameter), values of one field OR'd together,
fields AND'd.
"""

from collections import defaultdict

from django.conf import settings
from django.db.models import Count, QuerySet
from django.http import QueryDict

# The facet keys settings.OSCAR_SEARCH_FACETS names, and the product column each one counts.
FACET_COLUMNS = {"category_name": "categories__name", "product_class": "product_class__name"}


def selected_facets(raw: list[str]) -> dict[str, list[str]]:
    """`field:value` pairs for the facets we know; anything else is ignored."""
    selected: dict[str, list[str]] = defaultdict(list)
    for pair in raw:
        field, _, value = pair.partition(":")
        if field in FACET_COLUMNS and value and value not in selected[field]:
            selected[field].append(value)
    return dict(selected)


def products_narrowed(products: QuerySet, selected: dict[str, list[str]]) -> QuerySet:
    for field, values in selected.items():
        # A subquery rather than a join: a product in two chosen categories is listed once.
        matching = products.model.objects.filter(**{f"{FACET_COLUMNS[field]}__in": values}).values("pk")
        products = products.filter(pk__in=matching)
    return products


def _url_with(query: QueryDict, facets: list[str]) -> str:
    query = query.copy()
    query.pop("page", None)  # another filter: back to the first page
    query.setlist("selected_facets", facets)
    return "?" + query.urlencode()


def facet_data(products: QuerySet, query: QueryDict, selected: dict[str, list[str]]) -> dict:
    """Each configured facet's values among `products` (already narrowed), with their counts and the
    links that add or remove them: one query a facet, whatever the catalogue's size."""
    chosen = [f"{field}:{value}" for field, values in selected.items() for value in values]
    data = {}
    for key, facet in settings.OSCAR_SEARCH_FACETS["fields"].items():
        column = FACET_COLUMNS.get(key)
        if column is None:
            continue
        counts = (
            products.model.objects.filter(pk__in=products.values("pk"))
            .exclude(**{f"{column}__isnull": True})
            .values_list(column)
            .annotate(count=Count("pk", distinct=True))
            .order_by(column)
        )
        results = []
        for value, count in counts:
            pair = f"{key}:{value}"
            is_selected = pair in chosen
            results.append(
                {
                    "name": value,
                    "count": count,
                    "show_count": True,
                    "disabled": False,
                    "selected": is_selected,
                    "select_url": _url_with(query, [*chosen, pair]),
                    "deselect_url": _url_with(query, [c for c in chosen if c != pair]),
                }
            )
        data[key] = {"name": facet["name"], "results": results}
    return data
