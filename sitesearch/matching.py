"""Text matching for rows Wagtail does not index (products, events), computed at query time.

PostgreSQL: full text in settings.SEARCH_TEXT_CONFIG (the site's language: stemmed, stop words
dropped). Rows are found through the fields' plain document, which a GIN expression index holds
(sitesearch/migrations: PostgreSQL keeps it current on every write, so there is nothing to rebuild),
and only the rows found are ranked, their fields weighted A, B, C, D in the order given.
SQLite (development and the normal test suite): every word must appear in one of the fields (a
LIKE), a match on the first field first.
"""

from collections.abc import Sequence
from functools import reduce
from operator import add, and_, or_

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connections
from django.db.models import Case, FloatField, Q, QuerySet, Value, When

WEIGHTS = ("A", "B", "C", "D")
MAX_WORDS = 8  # a pasted paragraph is not a search; LIKE cost grows with each word


# The columns each index covers, and its name: the matching below must use exactly these fields, in
# this order, for PostgreSQL to read the index instead of parsing every row.
TEXT_INDEXES = {
    "catalogue.Product": (("title", "description", "upc"), "sitesearch_product_text"),
    "schedule.Event": (("title", "description"), "sitesearch_event_text"),
}


def text_document(fields: Sequence[str]) -> SearchVector:
    """The plain (unweighted) document of `fields`: what the GIN indexes are made of."""
    return SearchVector(*fields, config=settings.SEARCH_TEXT_CONFIG)


def ranked_matches(rows: QuerySet, query: str, fields: Sequence[str]) -> QuerySet:
    """`rows` whose `fields` (most telling first) match `query`, best first, each with `search_rank`."""
    if connections[rows.db].vendor == "postgresql":
        return _postgres_matches(rows, query, fields)
    return _like_matches(rows, query, fields)


def _postgres_matches(rows: QuerySet, query: str, fields: Sequence[str]) -> QuerySet:
    config = settings.SEARCH_TEXT_CONFIG
    weighted = zip(fields, WEIGHTS[: len(fields)], strict=True)
    ranked = reduce(add, (SearchVector(field, weight=weight, config=config) for field, weight in weighted))
    # websearch: what people type into search boxes ("quoted phrases", -not, or) never raises.
    wanted = SearchQuery(query, search_type="websearch", config=config)
    return (
        rows.alias(search_document=text_document(fields))
        .filter(search_document=wanted)
        .annotate(search_rank=SearchRank(ranked, wanted))
        .order_by("-search_rank", "pk")
    )


def _like_matches(rows: QuerySet, query: str, fields: Sequence[str]) -> QuerySet:
    words = query.split()[:MAX_WORDS]
    if not words:
        return rows.none()
    each_word_somewhere = reduce(
        and_, (reduce(or_, (Q(**{f"{field}__icontains": word}) for field in fields)) for word in words)
    )
    first_field_has_it_all = Q(**{f"{fields[0]}__icontains": " ".join(words)})
    return (
        rows.filter(each_word_somewhere)
        .annotate(
            search_rank=Case(
                When(first_field_has_it_all, then=Value(1.0)), default=Value(0.0), output_field=FloatField()
            )
        )
        .order_by("-search_rank", "pk")
    )
