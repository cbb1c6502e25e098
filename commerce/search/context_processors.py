"""The storefront's search form in the context of the storefront's own pages only.

Oscar's `search_form` context processor puts its SearchForm (query and a "Sort by" dropdown) into
every template of the project. The Wagtail admin's listing headers render any `search_form` they
find in the context, so Oscar's sort dropdown showed up above Wagtail's snippet and model lists.
Oscar's templates that read it (catalogue browse, search results) are served under the
`catalogue` and `search` URL namespaces, so the form goes there and nowhere else.
"""

from django.http import HttpRequest
from oscar.apps.search.context_processors import search_form as oscar_search_form

STOREFRONT_NAMESPACES = frozenset({"catalogue", "search"})


def search_form(request: HttpRequest) -> dict:
    match = getattr(request, "resolver_match", None)
    if match is None or not STOREFRONT_NAMESPACES.intersection(match.namespaces):
        return {}
    return oscar_search_form(request)
