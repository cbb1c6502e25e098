"""Market and producer pages: seeded demo, rendering, links between the shop and the market."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from wagtail.test.utils import WagtailTestUtils

from commerce.models import MarketPage, ProducerPage

Product = get_model("catalogue", "Product")
pytestmark = pytest.mark.django_db


def test_seed_demo_market_has_producers_products_variants(seeded):
    assert Product.objects.filter(structure__in=["standalone", "parent"]).count() >= 20
    assert Product.objects.filter(structure="child").exists()
    assert ProducerPage.objects.live().count() == 3
    from django.core.management import call_command

    call_command("seed_demo", verbosity=0)  # idempotent
    assert ProducerPage.objects.count() == 3 and MarketPage.objects.count() == 1


def test_market_page_renders_blocks_and_links_to_shop(seeded, client):
    market = MarketPage.objects.get()
    response = client.get(market.url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Wildflower honey" in html and "Sourdough loaf" in html
    assert reverse("catalogue:index") in html
    assert 'srcset="' in html
    for producer in ProducerPage.objects.all():
        assert producer.url in html


def test_producer_page_lists_products_including_variants(seeded, client):
    page = ProducerPage.objects.get(slug="hillside")
    html = client.get(page.url).content.decode()
    assert "Wildflower honey" in html and "Heritage potatoes" in html and "Sourdough" not in html


def test_product_detail_links_to_producer_page(seeded, client):
    honey = Product.objects.get(upc="RA-HONEY")
    html = client.get(honey.get_absolute_url()).content.decode()
    assert ProducerPage.objects.get(slug="hillside").url in html


def test_catalogue_links_to_market(seeded, client):
    html = client.get(reverse("catalogue:index")).content.decode()
    assert MarketPage.objects.get().url in html


class TestMarketAdmin(WagtailTestUtils):
    def test_product_chooser_lists_products(self, seeded, admin_client):
        response = admin_client.get(reverse("wagtailsnippetchoosers_catalogue_product:choose"))
        assert response.status_code == 200
        assert "Notebook" in response.content.decode()  # newest first

    def test_market_page_edit_form_loads(self, seeded, admin_client):
        market = MarketPage.objects.get()
        assert admin_client.get(reverse("wagtailadmin_pages:edit", args=[market.pk])).status_code == 200
