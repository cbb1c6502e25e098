"""The product list and product pages run a fixed number of SQL queries, for 10 or 2,000 products.

The catalogue mixes standalone products with parents whose variants (children) carry the stock, as
a market's does: a parent's card and page must not cost a query per variant either.
"""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils.text import slugify
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from tests.factories.commerce import stocked_product

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db

# What each page costs on a warmed-up anonymous client (site already loaded). Its pages are the ones
# the front door shares, so they read no session, set no recently-viewed cookie and show no reviews
# (switched off): 22 queries a product page before those went. At most these many: the request's Site
# is read once per host per process (home/sites.py), so a page may cost one fewer. The list
# prefetches stock, images, options and the public variants with their stock for its page, so 10
# products on the page or 20 of 2,000 cost the same; a parent's page loads its variants and their
# stock once, however many variants it has.
# A new number here means a page started querying per product or per variant (or an N+1 went
# away): look before changing it.
PRODUCT_LIST_QUERIES = 14
PRODUCT_DETAIL_QUERIES = 16
# A parent's page has one add-to-basket form choosing among its variants; the form asks once whether
# the product has options (Oscar's `has_options`), whatever the number of variants.
PARENT_DETAIL_QUERIES = 15

EVERY_NTH_IS_PARENT = 4  # a quarter of the grown catalogue are parents with variants


def _catalogue_grow(like, count: int, variants_per_parent: int) -> None:
    """More products of the same class and producer, in bulk (2,000 saves would take minutes).

    Every EVERY_NTH_IS_PARENT-th product is a parent whose variants hold the stock; the others are
    stocked standalones. Variants are children, so `count` browsable products are added whatever
    the number of variants.
    """
    start = Product.objects.count()
    products = Product.objects.bulk_create(
        [
            Product(
                product_class=like.product_class,
                structure=Product.PARENT if n % EVERY_NTH_IS_PARENT == 0 else Product.STANDALONE,
                title=f"Jar {start + n}",
                slug=slugify(f"jar {start + n}"),
                upc=f"BULK{start + n:06d}",
                is_public=True,
            )
            for n in range(count)
        ]
    )
    parents = [product for product in products if product.is_parent]
    children = Product.objects.bulk_create(
        [
            Product(
                structure=Product.CHILD,
                parent=parent,
                title=f"{parent.title} size {v}",
                slug=slugify(f"{parent.title} size {v}"),
                upc=f"{parent.upc}-{v}",
                is_public=True,
            )
            for parent in parents
            for v in range(variants_per_parent)
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
            for product in [*(p for p in products if not p.is_parent), *children]
        ]
    )


def _parent_with_variants(like, variants: int):
    """A parent product whose variants each have their own stock record, as the demo's potatoes do."""
    record = like.stockrecords.get()
    parent = create_product(title="Heritage potatoes", upc="POT", structure=Product.PARENT)
    parent.product_class = like.product_class
    parent.save()
    for v in range(variants):
        create_product(
            title=f"Heritage potatoes {v + 1} kg",
            upc=f"POT-{v + 1}",
            structure=Product.CHILD,
            parent=parent,
            partner_name=record.partner.name,
            partner_sku=f"POT-{v + 1}",
            price=Decimal("2.00") + v,
            num_in_stock=4,
        )
    return parent


# The large catalogue also has more variants per parent: neither may change a page's queries.
@pytest.mark.parametrize(("size", "variants"), [(10, 2), (2000, 5)])
def test_product_list_and_detail_queries_fixed_whatever_the_catalogue_size(
    client, django_assert_max_num_queries, size, variants
):
    honey = stocked_product()
    potatoes = _parent_with_variants(honey, variants)
    _catalogue_grow(honey, size - 2, variants)
    assert Product.objects.browsable().count() == size
    assert Product.objects.filter(structure=Product.CHILD).count() >= size // EVERY_NTH_IS_PARENT * variants
    # SQL counts the catalogue and loads only the page it shows, whatever the catalogue holds.
    list_url, detail_url, parent_url = (
        reverse("catalogue:index"),
        honey.get_absolute_url(),
        potatoes.get_absolute_url(),
    )
    for url in (list_url, detail_url, parent_url):  # warm-up: the session, the site row, thumbnails
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(PRODUCT_LIST_QUERIES):
        listed = client.get(list_url)
    # 10 products on the page, or a full page of 20, parents among them: the same queries either way.
    page = listed.context["products"]
    assert len(page) == min(size, 20)
    assert sum(product.is_parent for product in page) >= len(page) // EVERY_NTH_IS_PARENT
    with django_assert_max_num_queries(PRODUCT_DETAIL_QUERIES):
        detail = client.get(detail_url)
    assert detail.context["product"] == honey
    with django_assert_max_num_queries(PARENT_DETAIL_QUERIES):
        parent_detail = client.get(parent_url)
    assert parent_detail.context["product"] == potatoes
    assert parent_detail.content.decode().count("Heritage potatoes ") >= variants  # every variant offered
