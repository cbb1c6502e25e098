"""One finding of each kind, all sharing a word: a post, a page, a product, a producer and an event."""

import pytest

from tests.factories import events as event_factories
from tests.factories.cms import blog_index_ensure, blog_post
from tests.factories.commerce import stocked_product


def content_page(title: str, summary: str = ""):
    from cms.models import ContentPage

    home = blog_index_ensure().get_parent()
    page = ContentPage(title=title, summary=summary, body=[{"type": "paragraph", "value": "<p>Hi</p>"}])
    home.add_child(instance=page)
    page.save_revision().publish()
    return page


def producer_page(title: str, partner, **fields):
    from commerce.models import MarketPage, ProducerPage

    market = MarketPage.objects.first()
    if market is None:
        market = MarketPage(title="Market", slug="market")
        blog_index_ensure().get_parent().add_child(instance=market)
        market.save_revision().publish()
    page = ProducerPage(title=title, partner=partner, **fields)
    market.add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def findings(db):
    """Each kind once, each saying "quince" somewhere, and one of each that does not."""
    calendar = event_factories.organiser_calendar("Village hall")
    product = stocked_product(title="Quince paste", price="4.00", num_in_stock=7)
    found = {
        "posts": blog_post(title="Quince jelly", summary="Golden preserves."),
        "pages": content_page("Orchard walks", summary="Old quince trees behind the hall."),
        "products": product,
        "producers": producer_page(
            "Medlar Farm",
            product.stockrecords.get().partner,
            intro="Quince and medlar from old trees.",
            location="Todmorden",
        ),
        "events": event_factories.event(
            calendar,
            "Quince harvest supper",
            start=event_factories.local(3, 18),
            end=event_factories.local(3, 21),
            location="Village hall",
        ),
    }
    blog_post(title="Parsnip soup")
    content_page("Opening hours")
    stocked_product(title="Parsnip crisps", partner_name="Low Farm")
    event_factories.event(
        calendar, "Parsnip race", start=event_factories.local(4, 10), end=event_factories.local(4, 11)
    )
    return found
