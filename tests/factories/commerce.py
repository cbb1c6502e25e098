"""Commerce test data on top of oscar.test.factories: stocked products, a shipping country, a checkout."""

from decimal import Decimal

from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_product

Country = get_model("address", "Country")


def country_gb():
    country, _ = Country.objects.get_or_create(
        iso_3166_1_a2="GB",
        defaults={
            "iso_3166_1_a3": "GBR",
            "iso_3166_1_numeric": "826",
            "name": "United Kingdom",
            "printable_name": "United Kingdom",
            "is_shipping_country": True,
        },
    )
    return country


def stocked_product(title="Wildflower honey", price="7.50", num_in_stock=10, partner_name="Hillside Farm"):
    return create_product(
        title=title,
        price=Decimal(price),
        num_in_stock=num_in_stock,
        partner_name=partner_name,
        product_class="Preserves",
    )


def market_with_producer(slug: str, partner_name: str):
    """A market page showing the producer's products (a producer block), and the producer's page."""
    from commerce.models import MarketPage, ProducerPage
    from home.demo import home_page_ensure

    Partner = get_model("partner", "Partner")
    partner, _ = Partner.objects.get_or_create(name=partner_name)
    market = home_page_ensure().add_child(
        instance=MarketPage(
            title=f"Market {slug}", slug=slug, body=[("producer", {"producer": partner, "limit": 8})]
        )
    )
    producer = market.add_child(
        instance=ProducerPage(title=partner_name, slug=f"{slug}-producer", partner=partner)
    )
    return market, producer


ADDRESS = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "line1": "1 Market Street",
    "line4": "Hebden Bridge",
    "postcode": "HX7 8AA",
    "country": "GB",
}


def guest_checkout_to_sumup(client, products, email="ada@example.org", method="delivery"):
    """Drive Oscar's checkout as a guest up to "Place order"; returns the response (a redirect to SumUp)."""
    country_gb()
    for product, quantity in products:
        client.post(reverse("basket:add", args=[product.pk]), {"quantity": quantity})
    client.post(reverse("checkout:index"), {"username": email, "options": "anonymous"})
    client.post(reverse("checkout:shipping-address"), ADDRESS)
    client.post(reverse("checkout:shipping-method"), {"method_code": method})
    return client.post(reverse("checkout:preview"), {"action": "place_order"})
