"""The product list and a product page run a fixed number of SQL queries, for 10 or 2,000 products."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.text import slugify
from oscar.core.loading import get_model

from tests.factories.commerce import stocked_product

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db

# What each page costs on a warmed-up client (session and site already loaded). The list prefetches
# stock, images and options for its page, so 10 products on the page or 20 of 2,000 cost the same.
# A new number here means a page started querying per product (or an N+1 went away): look before
# changing it.
PRODUCT_LIST_QUERIES = 12
PRODUCT_DETAIL_QUERIES = 19


def _catalogue_grow(like, count: int) -> None:
    """More stocked products of the same class and producer, in bulk (2,000 saves would take minutes)."""
    start = Product.objects.count()
    products = Product.objects.bulk_create(
        [
            Product(
                product_class=like.product_class,
                structure=Product.STANDALONE,
                title=f"Jar {start + n}",
                slug=slugify(f"jar {start + n}"),
                upc=f"BULK{start + n:06d}",
                is_public=True,
            )
            for n in range(count)
        ]
    )
    record = like.stockrecords.get()
    StockRecord.objects.bulk_create(
        [
            StockRecord(
                product=product,
                partner=record.partner,
                partner_sku=f"BULK-{product.pk}",
                price=Decimal("3.20"),
                price_currency=record.price_currency,
                num_in_stock=5,
            )
            for product in products
        ]
    )


@pytest.fixture
def search_backend():
    """The catalogue browses through Haystack: start from an empty index, leave an empty one."""
    from haystack import connections

    backend = connections["default"].get_backend()
    backend.clear()
    yield backend
    backend.clear()


@pytest.mark.parametrize("size", [10, 2000])
def test_product_list_and_detail_queries_fixed_whatever_the_catalogue_size(
    client, django_assert_num_queries, search_backend, size
):
    from haystack import connections

    honey = stocked_product()
    _catalogue_grow(honey, size - 1)
    assert Product.objects.count() == size
    # Haystack picks the page's products; SQL only ever loads that page, whatever the catalogue holds.
    # So the index gets the newest 40 (two pages' worth) rather than all 2,000, which would take Whoosh
    # half a minute; the database holds every product, and bench/commerce_checkout.py counts a fully
    # indexed catalogue of 2,000.
    newest = Product.objects.order_by("-pk")[:40]
    search_backend.update(connections["default"].get_unified_index().get_index(Product), newest)
    list_url, detail_url = reverse("catalogue:index"), honey.get_absolute_url()
    for url in (list_url, detail_url):  # warm-up: the session, the site row, the thumbnail store
        assert client.get(url).status_code == 200
    with django_assert_num_queries(PRODUCT_LIST_QUERIES):
        listed = client.get(list_url)
    # 10 products on the page, or a full page of 20: the same queries either way.
    assert len(listed.context["products"]) == min(size, 20)
    with django_assert_num_queries(PRODUCT_DETAIL_QUERIES):
        detail = client.get(detail_url)
    assert detail.context["product"] == honey
