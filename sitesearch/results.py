"""Reading results: a page of rows with the total in the same query, the totals of the kinds not shown
in one more, and a page's address from its url_path."""

from collections.abc import Callable, Sequence
from math import ceil

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Page as ResultPage
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import Count, QuerySet, Window
from django.urls import reverse
from django.utils import translation
from wagtail.models import Site

TOTAL = "search_total"


def page_with_total(
    rows: QuerySet, number: int, per_page: int, fields: Sequence[str] = ()
) -> tuple[ResultPage, int]:
    """Page `number` of `rows` and how many rows there are in all, from one query: COUNT(*) OVER () is
    counted before LIMIT cuts the page. `fields`: read only these columns, as dicts. A number past the
    last page gives the last page, as Paginator.get_page does (two queries more, never on page 1)."""
    counted = rows.annotate(**{TOTAL: Window(Count("*"))})
    if fields:
        counted = counted.values(*fields, TOTAL)
    found = _slice(counted, number, per_page)
    if not found and number > 1:
        total = rows.count()
        number = max(1, ceil(total / per_page))
        found = _slice(counted, number, per_page) if total else []
    total = _total(found[0]) if found else 0
    paginator = Paginator(found, per_page)
    paginator.count = total  # known already: the paginator must not count again
    return ResultPage(found, number, paginator), total


def _slice(rows: QuerySet, number: int, per_page: int) -> list:
    start = (number - 1) * per_page
    return list(rows[start : start + per_page])


def _total(row) -> int:
    return row[TOTAL] if isinstance(row, dict) else getattr(row, TOTAL)


def totals(matches: dict[str, QuerySet]) -> dict[str, int]:
    """How many rows each queryset finds, all counted in one query (one subquery each)."""
    counts, parts, params = {}, [], []
    for name, rows in matches.items():
        try:
            sql, row_params = rows.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # a .none(): nothing to ask
            counts[name] = 0
            continue
        # Django's own SQL for the queryset; every value stays a parameter.
        parts.append((name, f"(SELECT COUNT(*) FROM ({sql}) AS matched)"))  # noqa: S608
        params.extend(row_params)
    if parts:
        using = next(iter(matches.values())).db
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(part for _, part in parts), params)
            counts.update(zip((name for name, _ in parts), cursor.fetchone(), strict=True))
    return counts


def page_urls() -> Callable[[str], str | None]:
    """What {% pageurl %} answers for a page, from its url_path alone: the sites' root paths are read
    once (Wagtail caches them), so a page of results needs neither its Page objects nor a cache read
    each. A relative URL on a one-site install, else the full URL (the page's site may not be the
    visitor's); None for a page under no site."""
    roots = Site.get_site_root_paths()
    one_site = len({root.site_id for root in roots}) == 1

    def url(url_path: str) -> str | None:
        for root in roots:
            if url_path.startswith(root.root_path):
                path = _serve_path(url_path[len(root.root_path) :], root.language_code)
                return path if one_site else root.root_url + path
        return None

    return url


def _serve_path(relative: str, language_code: str) -> str:
    # As Page.get_url_parts: Wagtail's serve view reversed, in the site's language if pages are translated.
    if getattr(settings, "WAGTAIL_I18N_ENABLED", False):
        with translation.override(language_code):
            path = reverse("wagtail_serve", args=(relative,))
    else:
        path = reverse("wagtail_serve", args=(relative,))
    if not getattr(settings, "WAGTAIL_APPEND_SLASH", True) and path != "/":
        path = path.rstrip("/")
    return path
