"""On PostgreSQL (production): full text in the site's language, stemmed, with title matches first."""

import pytest
from django.conf import settings

from tests.factories import events as event_factories
from tests.factories.cms import blog_post
from tests.factories.commerce import stocked_product
from tests.sitesearch.test_search import search, section

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="PostgreSQL full text search: run with DATABASE_URL=postgres://…",
    ),
]


def paragraph(text: str) -> list[dict]:
    return [{"type": "paragraph", "value": f"<p>{text}</p>"}]


def test_search_stems_words_in_every_kind(client):
    blog_post(title="Bread at dawn", summary="How the baker's loaves are baked.")
    stocked_product(title="Baked quince", partner_name="Oven Farm")
    calendar = event_factories.organiser_calendar("Hall")
    event_factories.event(
        calendar, "Bakes and cakes sale", start=event_factories.local(3, 10), end=event_factories.local(3, 12)
    )
    html = search(client, q="baking")
    assert "Bread at dawn" in section(html, "posts")
    assert "Baked quince" in section(html, "products")
    assert "Bakes and cakes sale" in section(html, "events")
    # A plural finds the singular; a stop word alone finds nothing (and breaks nothing).
    assert "Bread at dawn" in section(search(client, q="breads"), "posts")
    assert "Nothing matched" in search(client, q="the")


def test_search_ranks_a_title_match_first(client):
    blog_post(title="Notes from the allotment", summary="Mostly about sourdough, and sourdough again.")
    blog_post(title="Sourdough", summary="A loaf.")
    stocked_product(title="Rye loaf", partner_name="Mill Farm").__class__.objects.filter(
        title="Rye loaf"
    ).update(description="Made with our sourdough starter.")
    stocked_product(title="Sourdough starter", partner_name="Mill Farm")
    html = search(client, q="sourdough")
    posts, products = section(html, "posts"), section(html, "products")
    assert posts.index(">Sourdough<") < posts.index("Notes from the allotment")
    assert products.index("Sourdough starter") < products.index("Rye loaf")


def test_search_accepts_what_people_type(client):
    blog_post(title="Quince and medlar")
    stocked_product(title="Quince and medlar jelly", partner_name="Orchard Farm")
    stocked_product(title="Quince cheese", partner_name="Orchard Farm")
    for query in ['"quince and', "quince -medlar", "quince or", "(", "&|!:*", "'", "\\"]:
        search(client, q=query)  # never a server error, whatever is typed
    # Products and events take web search syntax: a minus leaves a word out.
    products = section(search(client, q="quince -medlar"), "products")
    assert "Quince cheese" in products and "medlar jelly" not in products
