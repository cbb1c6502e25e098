"""The one search page: every kind of result, filters by kind, a fixed number of queries, old URLs."""

from decimal import Decimal

import pytest
from django.urls import reverse

from tests.factories import events as event_factories
from tests.factories.cms import blog_post
from tests.factories.commerce import stocked_product
from tests.sitesearch.conftest import content_page, producer_page

pytestmark = pytest.mark.django_db

KIND_TITLES = {
    "posts": "Quince jelly",
    "pages": "Orchard walks",
    "products": "Quince paste",
    "producers": "Medlar Farm",
    "events": "Quince harvest supper",
}
# Every kind at once: each kind's page of rows with its total (one query each), the products' stock
# records and variants, the events' stored occurrences. One kind: the other kinds' totals in one query,
# its page, its prefetches. As many whatever the number of matches (see
# test_search_queries_fixed_whatever_the_number_of_matches). No transaction: the view only reads; the
# chrome's Site is read once per host (home/sites.py), not once per request.
EVERY_KIND_QUERIES = 8
ONE_KIND_QUERIES = 4


def search(client, **params) -> str:
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


def section(html: str, kind: str) -> str:
    """The HTML of one kind's section of results ("" when the page has none)."""
    start = html.find(f'class="search-section search-{kind} ')
    if start == -1:
        return ""
    return html[start : html.find("</section>", start)]


def test_search_finds_each_kind_in_its_own_section(client, findings):
    html = search(client, q="quince")
    for kind, title in KIND_TITLES.items():
        assert title in section(html, kind), kind
    assert "Parsnip" not in html and "Opening hours" not in html
    for label in ("Blog posts (1)", "Pages (1)", "Products (1)", "Producers (1)", "Events (1)"):
        assert label in html


def test_search_product_shows_its_price_and_stock(client, findings):
    products = section(search(client, q="paste"), "products")
    # Preserves are standard-rated: the stock record's £4.00 is shown with VAT, as the shop shows it.
    assert "Quince paste" in products and "£4.80" in products and "7 in stock" in products
    assert findings["products"].get_absolute_url() in products


def test_search_event_shows_its_next_date_and_place(client, findings):
    events = section(search(client, q="supper"), "events")
    start = event_factories.local(3, 18)
    assert "Quince harvest supper" in events and "Village hall" in events
    assert f'Next: <time datetime="{start.date().isoformat()}T18:00:00' in events


def test_search_producer_found_by_what_they_grow(client, findings):
    producers = section(search(client, q="medlar"), "producers")
    assert "Medlar Farm" in producers and "Todmorden" in producers
    assert findings["producers"].url in producers


def test_search_type_filter_shows_only_that_kind(client, findings):
    for kind, title in KIND_TITLES.items():
        html = search(client, q="quince", type=kind)
        assert title in section(html, kind), kind
        others = [other for other in KIND_TITLES if other != kind]
        assert not any(section(html, other) for other in others), kind
        assert 'aria-current="page"' in html


def test_search_unknown_type_shows_everything(client, findings):
    html = search(client, q="quince", type="nonsense")
    assert all(section(html, kind) for kind in KIND_TITLES)


def test_search_every_word_must_match(client, findings):
    html = search(client, q="quince parsnip")
    assert "Nothing matched" in html


def test_search_finds_changes_without_a_rebuild(client, findings):
    product = findings["products"]
    product.title = "Membrillo"
    product.save()
    post = findings["posts"]
    post.title = "Damson cheese"
    post.save_revision().publish()
    html = search(client, q="membrillo")
    assert "Membrillo" in section(html, "products")
    assert "Damson cheese" in section(search(client, q="damson"), "posts")
    assert "Quince paste" not in search(client, q="quince")


def test_search_drafts_and_private_events_stay_hidden(client, findings):
    blog_post(title="Quince secrets", publish=False)
    hidden = event_factories.organiser_calendar("Committee", is_public=False)
    event_factories.event(
        hidden, "Quince committee", start=event_factories.local(2, 9), end=event_factories.local(2, 10)
    )
    event_factories.event(
        findings["events"].calendar,
        "Quince draft",
        start=event_factories.local(2, 9),
        end=event_factories.local(2, 10),
        published=False,
    )
    html = search(client, q="quince")
    assert "Quince secrets" not in html and "Quince committee" not in html and "Quince draft" not in html


@pytest.mark.parametrize("size", [1, 9])
def test_search_queries_fixed_whatever_the_number_of_matches(client, django_assert_max_num_queries, size):
    calendar = event_factories.organiser_calendar("Hall")
    for n in range(size):
        blog_post(title=f"Rhubarb post {n}")
        content_page(f"Rhubarb page {n}")
        product = stocked_product(title=f"Rhubarb jam {n}", partner_name=f"Farm {n}")
        producer_page(f"Rhubarb grower {n}", product.stockrecords.get().partner)
        event_factories.event(
            calendar,
            f"Rhubarb fair {n}",
            start=event_factories.local(2 + n, 10),
            end=event_factories.local(2 + n, 12),
            frequency="WEEKLY",
        )
    search(client, q="rhubarb")  # warm-up: the site's root paths and the session
    with django_assert_max_num_queries(EVERY_KIND_QUERIES):
        html = search(client, q="rhubarb")
    assert html.count("search-result-") == 5 * min(size, 5)
    for kind in KIND_TITLES:
        with django_assert_max_num_queries(ONE_KIND_QUERIES):
            html = search(client, q="rhubarb", type=kind)
        assert html.count(f"search-result-{kind}") == size


def test_search_leaves_out_pages_in_a_private_section(client, findings):
    from wagtail.models import PageViewRestriction

    members_only = blog_post(title="Quince for members")
    PageViewRestriction.objects.create(
        page=members_only, restriction_type=PageViewRestriction.PASSWORD, password="medlar"
    )
    html = search(client, q="quince")
    assert "Quince jelly" in section(html, "posts") and "Quince for members" not in html
    assert "Blog posts (1)" in html


def test_search_without_query_shows_the_form_and_no_results(client, db):
    html = search(client)
    assert 'name="q"' in html and "search-section" not in html


def test_header_search_box_goes_to_the_search_page(client, findings):
    html = client.get("/").content.decode()
    assert 'action="/search/"' in html and 'name="q"' in html


def test_shop_search_is_the_site_search_on_products(client, findings):
    html = client.get("/shop/search/", {"q": "quince"}).content.decode()
    assert "Quince paste" in section(html, "products") and not section(html, "posts")
    # Its kinds lead to the site search page, which shows every kind.
    assert f'href="{reverse("site_search")}?q=quince"' in html
    assert "Quince jelly" in section(search(client, q="quince"), "posts")


def test_search_parent_product_shows_its_cheapest_variant_price(client, db):
    from oscar.core.loading import get_model
    from oscar.test.factories import create_product

    Product = get_model("catalogue", "Product")
    parent = create_product(
        title="Heritage quince", upc="HQ", structure=Product.PARENT, product_class="Preserves"
    )
    for kilos, price in ((1, "3.00"), (2, "5.00")):
        create_product(
            title=f"Heritage quince {kilos} kg",
            upc=f"HQ-{kilos}",
            structure=Product.CHILD,
            parent=parent,
            price=Decimal(price),
            num_in_stock=3,
        )
    products = section(search(client, q="heritage"), "products")
    assert products.count("search-result-products") == 1  # the parent, not each variant
    assert "From £" in products


def test_search_page_past_the_last_shows_the_last(client, findings):
    for page in ("7", "0", "nonsense"):
        posts = section(search(client, q="quince", type="posts", page=page), "posts")
        # The link is Wagtail's own URL for the page, though no Page object was read.
        assert f'href="{findings["posts"].url}"' in posts, page
    assert f'href="{findings["pages"].url}"' in section(search(client, q="quince"), "pages")
