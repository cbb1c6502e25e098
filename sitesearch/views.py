"""The site search page: one box, one page of results, filtered by kind."""

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_safe

from sitesearch.selectors import KIND_SLUGS, KINDS, site_search

MAX_QUERY_LENGTH = 200


# A read: no transaction around it (ATOMIC_REQUESTS), two round trips fewer.
@transaction.non_atomic_requests
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    return _search_page(request, default_kind="")


@transaction.non_atomic_requests
@require_safe
def search_products(request: HttpRequest) -> HttpResponse:
    """Oscar's /shop/search/ (settings.SHOP_SEARCH_VIEW): the same page, on its products."""
    return _search_page(request, default_kind="products")


def _search_page(request: HttpRequest, *, default_kind: str) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    kind = request.GET.get("type", default_kind)
    kind = kind if kind in KIND_SLUGS else ""
    outcome = site_search(query, kind, request.GET.get("page")) if query else None
    return TemplateResponse(
        request,
        "sitesearch/search.html",
        {"query": query, "search_query": query, "kind": kind, "kinds": KINDS, "outcome": outcome},
    )
