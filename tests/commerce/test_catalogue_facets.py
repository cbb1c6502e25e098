"""The catalogue's facets name categories and kinds of product as staff named them, and filter by them
(counted in SQL: no search index to fill first)."""

import re

import pytest
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model
from oscar.test.factories import create_product

Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")

pytestmark = pytest.mark.django_db


@pytest.fixture
def indexed_catalogue():
    products = []
    for title, product_class, breadcrumbs in [
        ("Wool scarf", "Crafts", "Crafts > Textiles"),
        ("Sourdough loaf", "Bakery", "Bakery"),
        ("Free-range eggs", "Food", "Food > Dairy & eggs"),
    ]:
        product = create_product(title=title, product_class=product_class, price="5.00", num_in_stock=5)
        ProductCategory.objects.create(product=product, category=create_from_breadcrumbs(breadcrumbs))
        products.append(product)
    return products


def facet_labels(html: str) -> set[str]:
    return set(re.findall(r'selected_facets=[^"]*">([^<]+)</a>', html))


def test_catalogue_facets_show_real_category_and_type_names(client, indexed_catalogue):
    html = client.get("/shop/catalogue/").content.decode()
    labels = facet_labels(html)
    assert {"Textiles", "Bakery", "Dairy &amp; eggs", "Crafts", "Food"} <= labels
    # Not Whoosh's stemmed forms, nor a rating facet with "None" for a shop without reviews.
    assert not {"craft", "bakeri", "None"} & labels
    assert ">Rating<" not in html


def test_catalogue_facet_filters_by_its_name(client, indexed_catalogue):
    html = client.get("/shop/catalogue/", {"selected_facets": "category_name:Dairy & eggs"}).content.decode()
    assert "Free-range eggs" in html and "Wool scarf" not in html
    html = client.get("/shop/catalogue/", {"selected_facets": "product_class:Crafts"}).content.decode()
    assert "Wool scarf" in html and "Sourdough loaf" not in html
