"""Text matching for rows Wagtail does not index (products, events).

PostgreSQL: full text in settings.SEARCH_TEXT_CONFIG (the site's language: stemmed, stop words
dropped), read from each row's stored, weighted document (sitesearch/models.py, written by
PostgreSQL on every write): the GIN index finds the rows and only their stored vectors are ranked,
no text is parsed at query time.
SQLite (development and the normal test suite): every word must appear in one of the fields (a
LIKE), a match on the first field first.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import reduce
from operator import and_, or_

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connections
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When

MAX_WORDS = 8  # a pasted paragraph is not a search; LIKE cost grows with each word


@dataclass(frozen=True)
class Searched:
    """How one model is matched: its stored document (PostgreSQL) and its fields, most telling first
    (SQLite; the same fields and weights the document is made of, sitesearch/migrations/0002)."""

    document: str  # the reverse one-to-one to sitesearch.models' document
    fields: Sequence[str]


PRODUCTS = Searched(document="search_document", fields=("title", "description", "upc"))
EVENTS = Searched(document="search_document", fields=("title", "description"))


def ranked_matches(rows: QuerySet, query: str, searched: Searched) -> QuerySet:
    """`rows` that match `query`, best first, each with `search_rank`."""
    if connections[rows.db].vendor == "postgresql":
        return _postgres_matches(rows, query, searched.document)
    return _like_matches(rows, query, searched.fields)


def _postgres_matches(rows: QuerySet, query: str, document: str) -> QuerySet:
    # websearch: what people type into search boxes ("quoted phrases", -not, or) never raises.
    wanted = SearchQuery(query, search_type="websearch", config=settings.SEARCH_TEXT_CONFIG)
    vector = f"{document}__vector"
    return (
        rows.filter(**{vector: wanted})
        .annotate(search_rank=SearchRank(F(vector), wanted))
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
