"""Reads: what each kind of result matches, and the one results page built from all of them.

Pages (blog posts, other pages, producers) go through Wagtail's search backend: its index rows are
written in the publish's own write path, so a published change is found at once. Products and
events are matched on the documents PostgreSQL stores for them (sitesearch/matching.py). Each kind
shown costs one query for its page of rows and its total, plus its prefetches; the totals of the
kinds not shown are counted in one more: as many queries whatever the number of matches.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page as ResultPage
from django.db.models import Exists, F, OuterRef, QuerySet
from django.db.models.lookups import StartsWith
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from wagtail.models import PageViewRestriction

from cms.models import BlogPostPage, ContentPage
from commerce.models import ProducerPage
from events.links import occurrence_url
from events.selectors import events_published, occurrence_next
from sitesearch.matching import EVENTS, PRODUCTS, ranked_matches
from sitesearch.results import page_urls, page_with_total, totals

Product = get_model("catalogue", "Product")

RESULTS_PER_PAGE = 20
PREVIEW_PER_KIND = 5  # each kind's best matches when no kind is chosen
# What a page's result card shows: its rows are read as dicts of these, not as Page objects.
PAGE_CARD = ("pk", "title", "url_path", "search_description")
POST_FIELDS = (*PAGE_CARD, "summary", "first_published_at")
CONTENT_PAGE_FIELDS = (*PAGE_CARD, "summary")
PRODUCER_FIELDS = (*PAGE_CARD, "intro", "location", "sells_at")


def posts_matching(query: str) -> QuerySet:
    return _public_matches(BlogPostPage, query)


def pages_matching(query: str) -> QuerySet:
    """Content pages (about us, how to join …). Searched as their own model: Wagtail's backend then
    reads only their index rows, where a search over every Page joins the whole tree to the index."""
    return _public_matches(ContentPage, query)


def producers_matching(query: str) -> QuerySet:
    return _public_matches(ProducerPage, query)


def _public_matches(model, query: str) -> QuerySet:
    """`model`'s live pages matching `query`, best first, outside private sections. The backend's own
    queryset (every database backend has one), so the page of rows and its total are one query; the
    private sections are a subquery of it, not a read of every view restriction first."""
    matches = model.objects.live().search(query, operator="and").get_queryset()
    restricted_at_or_above = PageViewRestriction.objects.filter(StartsWith(OuterRef("path"), F("page__path")))
    return matches.filter(~Exists(restricted_at_or_above))


def products_matching(query: str) -> QuerySet:
    """Browsable products (parents and standalones) with what their price and stock are read from."""
    products = (
        Product.objects.browsable()
        .select_related("product_class")
        .prefetch_related("stockrecords")
        .prefetch_public_children(Product.objects.public().prefetch_related("stockrecords"))
    )
    return ranked_matches(products, query, PRODUCTS)


def events_matching(query: str) -> QuerySet:
    """Published events of public calendars, with their occurrences prefetched (for the next date).
    Matched on the event's own title and description, its stored document (its place is shown).
    Only what the card and the next date read: the rule, the zone and place, the page's address."""
    events = (
        events_published()
        .select_related(None)
        .select_related("detail", "rule", "page")
        .only(
            "title",
            "description",
            "start",
            "end",
            "end_recurring_period",
            "rule__frequency",
            "rule__params",
            "detail__time_zone",
            "detail__location",
            "page__live",
            "page__url_path",
        )
    )
    return ranked_matches(events, query, EVENTS)


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str
    matching: Callable[[str], QuerySet]
    fields: Sequence[str] = ()  # Wagtail pages: the columns their card shows, read as dicts


KINDS = (
    Kind("posts", "Blog posts", posts_matching, POST_FIELDS),
    Kind("pages", "Pages", pages_matching, CONTENT_PAGE_FIELDS),  # content pages
    Kind("products", "Products", products_matching),
    Kind("producers", "Producers", producers_matching, PRODUCER_FIELDS),
    Kind("events", "Events", events_matching),
)
KIND_SLUGS = frozenset(kind.slug for kind in KINDS)


@dataclass(frozen=True)
class EventHit:
    event: object
    next_start: datetime | None
    url: str


@dataclass(frozen=True)
class Section:
    kind: Kind
    count: int
    results: ResultPage


@dataclass(frozen=True)
class SiteSearch:
    query: str
    kind: str  # "" for every kind
    counts: dict[str, int]
    sections: list[Section]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def tabs(self) -> list[tuple[Kind, int]]:
        return [(kind, self.counts[kind.slug]) for kind in KINDS]


def site_search(query: str, kind: str = "", page_number: str | int | None = 1) -> SiteSearch:
    """Every kind's count; the chosen kind's page of results, or else each kind's best few."""
    matches = {each.slug: each.matching(query) for each in KINDS}
    shown = [each for each in KINDS if kind in ("", each.slug)]
    counts = totals({each.slug: matches[each.slug] for each in KINDS if each not in shown})
    number = _page_number(page_number) if kind else 1
    per_page = RESULTS_PER_PAGE if kind else PREVIEW_PER_KIND
    sections, cards = [], _Cards()
    for each in shown:
        results, counts[each.slug] = page_with_total(matches[each.slug], number, per_page, each.fields)
        if counts[each.slug]:
            results.object_list = cards.of(each, results.object_list)
            sections.append(Section(each, counts[each.slug], results))
    return SiteSearch(query=query, kind=kind, counts=counts, sections=sections)


def _page_number(asked: str | int | None) -> int:
    try:
        return max(1, int(asked or 1))
    except (TypeError, ValueError):
        return 1


class _Cards:
    """What each result card shows, beyond its row: a page's address, an event's next date. The sites'
    root paths are read once, and only if a card links to a page."""

    def __init__(self) -> None:
        self.now = timezone.now()
        self._page_url = None

    def page_url(self, url_path: str) -> str | None:
        if self._page_url is None:
            self._page_url = page_urls()
        return self._page_url(url_path)

    def of(self, kind: Kind, rows: list) -> list:
        if kind.fields:
            return [{**row, "url": self.page_url(row["url_path"])} for row in rows]
        if kind.slug == "events":
            return [self.event_hit(event) for event in rows]
        return rows

    def event_hit(self, event) -> EventHit:
        """The event with its next date, linked to its page, else to that date, else to the calendar."""
        occurrence = occurrence_next(event, self.now)
        page = getattr(event, "page", None)
        url = self.page_url(page.url_path) if page is not None and page.live else None
        if url is None:
            url = occurrence_url(occurrence) if occurrence is not None else reverse("events:home")
        return EventHit(event=event, next_start=occurrence.start if occurrence else None, url=url)
