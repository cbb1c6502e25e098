"""The fragment block on blog posts and content pages: what the calendar and the market offer,
composed into cms pages without cms importing them; the author's fediverse:creator on posts."""

import pytest
from django.conf import settings

from cms.blocks import AppFragmentBlock
from cms.fragments import fragment_choices
from cms.models import ContentPage
from tests.factories.cms import blog_post
from tests.factories.commerce import stocked_product
from tests.factories.events import event, local, organiser_calendar

pytestmark = pytest.mark.django_db


def _fragment(name: str, **value) -> dict:
    return {"type": "fragment", "value": {"fragment": name, "heading": "", "filter": "", "limit": 6, **value}}


def test_fragment_block_offers_every_apps_fragments():
    offered = dict(fragment_choices())
    assert {"events-week", "events-upcoming", "market-day", "products", "newsletter"} <= set(offered)
    in_the_editor = dict(AppFragmentBlock().child_blocks["fragment"].field.choices)
    assert {name: label for name, label in in_the_editor.items() if name} == offered


def test_blog_post_shows_upcoming_events_of_one_calendar(client, blog_index):
    shown, other = organiser_calendar("Town hall"), organiser_calendar("Library")
    event(shown, "Cheese tasting", start=local(20, 18), end=local(20, 20))
    event(other, "Book club", start=local(21, 18), end=local(21, 20))
    body = [_fragment("events-upcoming", filter=shown.slug, heading="At the hall")]
    blog_post(blog_index, slug="whats-on", body=body)

    html = client.get("/blog/whats-on/").content.decode()

    assert "At the hall" in html and "Cheese tasting" in html
    assert "Book club" not in html


def test_content_page_shows_products_of_a_producer_and_chosen_ones(client, blog_index):
    stocked_product(title="Rye sourdough", partner_name="Hillside Bakery")
    stocked_product(title="Wildflower honey", partner_name="Bee Farm")
    chosen = stocked_product(title="Apple juice", partner_name="Orchard")
    bakery = chosen.stockrecords.model.objects.get(product__title="Rye sourdough").partner
    page = ContentPage(
        title="Our producers",
        slug="producers",
        summary="Who bakes.",
        body=[
            _fragment("products", filter=bakery.code, heading="From the bakery"),
            _fragment("products", filter=chosen.upc, heading="Chosen"),
        ],
    )
    blog_index.get_parent().add_child(instance=page)
    page.save_revision().publish()

    html = client.get("/producers/").content.decode()

    bakery_part = html.split("From the bakery", 1)[1].split("Chosen", 1)[0]
    assert "Rye sourdough" in bakery_part and "Wildflower honey" not in bakery_part
    assert "Apple juice" in html.split("Chosen", 1)[1]


def test_blog_post_shows_next_market_day_and_newsletter(client, blog_index):
    from events.models import EventCategory

    markets = EventCategory.objects.create(slug="markets", name="Markets")
    square = organiser_calendar("Square")
    event(square, "Saturday market", start=local(3, 9), end=local(3, 13), category=markets)
    blog_post(blog_index, slug="market", body=[_fragment("market-day"), _fragment("newsletter")])

    html = client.get("/blog/market/").content.decode()

    assert "Next market day" in html and "Saturday market" in html
    assert 'href="/account/newsletters/"' in html


def test_blog_post_names_its_author_for_link_previews_and_offers_to_follow(client, post):
    html = client.get(post.url).content.decode()

    assert f'<meta name="fediverse:creator" content="@ada@{settings.SITE_HOST}">' in html
    assert 'action="/follow/ada/"' in html and 'action="/follow/bob/"' in html
