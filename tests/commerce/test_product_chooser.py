"""The Wagtail product chooser (market page blocks) searches Oscar's products by title or UPC."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from tests.factories.commerce import stocked_product

Product = get_model("catalogue", "Product")
pytestmark = pytest.mark.django_db

CHOOSE = "wagtailsnippetchoosers_catalogue_product:choose"
RESULTS = "wagtailsnippetchoosers_catalogue_product:choose_results"


@pytest.fixture
def catalogue():
    honey = stocked_product("Wildflower honey")
    honey.upc = "RA-HONEY"
    honey.save()
    stocked_product("Heather honey")
    potatoes = create_product(title="Heritage potatoes", upc="RA-POT", structure=Product.PARENT)
    create_product(title="Heritage potatoes 2 kg", upc="RA-POT-2KG", parent=potatoes, structure=Product.CHILD)


def _chosen_titles(response) -> list[str]:
    return sorted(product.title for product in response.context["results"])


@pytest.mark.usefixtures("catalogue")
def test_product_chooser_search_by_title_or_upc(admin_client):
    by_title = admin_client.get(reverse(RESULTS), {"q": "HONEY"})
    assert by_title.status_code == 200
    assert _chosen_titles(by_title) == ["Heather honey", "Wildflower honey"]
    assert _chosen_titles(admin_client.get(reverse(RESULTS), {"q": "ra-honey"})) == ["Wildflower honey"]
    # A parent is found by its own UPC; its variants are never offered (cards show the parent).
    assert _chosen_titles(admin_client.get(reverse(RESULTS), {"q": "RA-POT"})) == ["Heritage potatoes"]
    assert _chosen_titles(admin_client.get(reverse(RESULTS), {"q": "leeks"})) == []


@pytest.mark.usefixtures("catalogue")
def test_product_chooser_shows_search_box_and_everything_without_query(admin_client):
    response = admin_client.get(reverse(CHOOSE))
    html = response.json()["html"]  # the chooser modal's body
    assert 'name="q"' in html and "Title or UPC" in html
    assert _chosen_titles(response) == ["Heather honey", "Heritage potatoes", "Wildflower honey"]
