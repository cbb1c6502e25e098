"""Reads: what each kind of result matches, and the one results page built from all of them.

Pages (blog posts, other pages, producers) go through Wagtail's search backend: its index rows are
written in the publish's own write path, so a published change is found at once. Products and
events are matched on the documents PostgreSQL stores for them (sitesearch/matching.py). Each kind
costs one count and one page of rows with its prefetches, whatever the number of matches; the view
restrictions the three kinds of page share are read once.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.core.paginator import Page as ResultPage
from django.core.paginator import Paginator
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from wagtail.models import Page

from cms.models import BlogPostPage, ContentPage
from commerce.models import ProducerPage
from events.links import occurrence_url
from events.selectors import events_published, occurrence_next
from sitesearch.matching import EVENTS, PRODUCTS, ranked_matches

Product = get_model("catalogue", "Product")

RESULTS_PER_PAGE = 20
PREVIEW_PER_KIND = 5  # each kind's best matches when no kind is chosen


def posts_matching(query: str, private: Q | None = None):
    return _public(BlogPostPage, private).search(query, operator="and")


def pages_matching(query: str, private: Q | None = None):
    """Content pages (about us, how to join …). Searched as their own model: Wagtail's backend then
    reads only their index rows, where a search over every Page joins the whole tree to the index."""
    return _public(ContentPage, private).search(query, operator="and")


def producers_matching(query: str, private: Q | None = None):
    return _public(ProducerPage, private).search(query, operator="and")


def _public(model, private: Q | None):
    """`model`'s live pages outside private sections. `private` is PageQuerySet.private_q(), which
    reads every view restriction: site_search reads them once for the three kinds of page."""
    pages = model.objects.live()
    return pages.exclude(private) if private is not None else pages.public()


def products_matching(query: str):
    """Browsable products (parents and standalones) with what their price and stock are read from."""
    products = (
        Product.objects.browsable()
        .select_related("product_class")
        .prefetch_related("stockrecords")
        .prefetch_public_children(Product.objects.public().prefetch_related("stockrecords"))
    )
    return ranked_matches(products, query, PRODUCTS)


def events_matching(query: str):
    """Published events of public calendars, with their occurrences prefetched (for the next date).
    Matched on the event's own title and description, its stored document (its place is shown)."""
    events = events_published().select_related("page")
    return ranked_matches(events, query, EVENTS)


@dataclass(frozen=True)
class Kind:
    slug: str
    label: str
    matching: Callable[..., object]
    pages: bool = False  # Wagtail pages: matching takes the private sections too


KINDS = (
    Kind("posts", "Blog posts", posts_matching, pages=True),
    Kind("pages", "Pages", pages_matching, pages=True),  # content pages
    Kind("products", "Products", products_matching),
    Kind("producers", "Producers", producers_matching, pages=True),
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
    counts, sections = {}, []
    private = Page.objects.private_q()
    for each in KINDS:
        matches = each.matching(query, private) if each.pages else each.matching(query)
        paginator = Paginator(matches, RESULTS_PER_PAGE if kind else PREVIEW_PER_KIND)
        counts[each.slug] = paginator.count
        if paginator.count and kind in ("", each.slug):
            results = paginator.get_page(page_number if kind else 1)
            if each.slug == "events":
                now = timezone.now()
                results.object_list = [_event_hit(event, now) for event in results]
            sections.append(Section(each, paginator.count, results))
    return SiteSearch(query=query, kind=kind, counts=counts, sections=sections)


def _event_hit(event, now: datetime) -> EventHit:
    """The event with its next date, linked to its page, else to that date, else to the calendar."""
    occurrence = occurrence_next(event, now)
    page = getattr(event, "page", None)
    if page is not None and page.live:
        url = page.url
    elif occurrence is not None:
        url = occurrence_url(occurrence)
    else:
        url = reverse("events:home")
    return EventHit(event=event, next_start=occurrence.start if occurrence else None, url=url)
