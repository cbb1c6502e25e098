"""The market as a shop: product cards with price, stock and add-to-basket; variants chosen by size."""

import pytest
from bs4 import BeautifulSoup
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from commerce.models import MarketPage, ProducerPage

Product = get_model("catalogue", "Product")
Basket = get_model("basket", "Basket")

pytestmark = pytest.mark.django_db


def _card(soup, title):
    return next(card for card in soup.select(".product-card") if card.h3.get_text(strip=True) == title)


def _post_form(client, form, choose=None):
    """Submit an HTML form as the browser would: its hidden fields, checked radio (or `choose`)."""
    data = {field["name"]: field.get("value", "") for field in form.select("input[type=hidden]")}
    for radio in form.select("input[type=radio]"):
        if (choose is None and radio.has_attr("checked")) or radio.find_parent("label").get_text(
            " ", strip=True
        ).startswith(choose or "\0"):
            data[radio["name"]] = radio["value"]
    return client.post(form["action"], data)


def test_producer_page_cards_show_price_stock_and_add_to_basket(seeded):
    client = Client(enforce_csrf_checks=True)  # the card's form is sent with the reader's own token
    page = ProducerPage.objects.get(slug="hillside")
    soup = BeautifulSoup(client.get(page.url).content, "html.parser")

    assert soup.select_one(".sells-at").get_text(strip=True).startswith("Todmorden market")
    eggs = _card(soup, "Free-range eggs, 6")
    assert eggs.select_one(".price").get_text(strip=True) == "£3.10"  # eggs are zero-rated
    assert eggs.select_one(".availability").get_text(strip=True) == "60 in stock"
    assert eggs.img is not None
    form = eggs.select_one("form.add-to-basket")
    assert form["action"] == reverse("basket:add", args=[Product.objects.get(upc="RA-EGGS-6").pk])
    # The page is shared at the front door, so it carries nobody's token: static/js/site.js puts the
    # reader's own (from /csrf-token/) into the form as it is sent.
    assert form.select_one("input[name=csrfmiddlewaretoken]") is None
    token = client.get("/csrf-token/").json()["token"]
    token_field = {"type": "hidden", "name": "csrfmiddlewaretoken", "value": token}
    form.append(soup.new_tag("input", attrs=token_field))

    response = _post_form(client, form)

    assert response.status_code == 302
    basket = Basket.objects.get()
    assert [(line.product.upc, line.quantity) for line in basket.all_lines()] == [("RA-EGGS-6", 1)]


def test_market_page_cards_have_add_to_basket(seeded, client):
    soup = BeautifulSoup(client.get(MarketPage.objects.get().url).content, "html.parser")
    cards = soup.select(".product-card")
    assert cards and all(card.select_one("form.add-to-basket button[type=submit]") for card in cards)
    assert len(soup.select("[id]")) == len({tag["id"] for tag in soup.select("[id]")})  # no repeated ids


def test_variant_selector_shows_each_variant_price_and_stock(seeded, client):
    honey = Product.objects.get(upc="RA-HONEY")
    soup = BeautifulSoup(client.get(honey.get_absolute_url()).content, "html.parser")
    labels = [label.get_text(" ", strip=True) for label in soup.select(".variant-choice label")]
    # Honey is food, zero-rated: the shelf price is the price.
    assert labels == ["340 g jar — £7.50, 40 in stock", "1 kg tub — £18.00, 12 in stock"]
    assert len(soup.select("form.add-to-basket")) == 1


def test_variant_added_basket_and_order_line_name_product_and_variant(seeded, client):
    honey = Product.objects.get(upc="RA-HONEY")
    soup = BeautifulSoup(client.get(honey.get_absolute_url()).content, "html.parser")
    client.post(
        soup.select_one("form.add-to-basket")["action"],
        {"child_id": Product.objects.get(upc="RA-HONEY-1K").pk, "quantity": 1},
    )
    _post_form(client, soup.select_one("form.add-to-basket"), choose="340 g jar")

    basket_html = client.get(reverse("basket:summary")).content.decode()

    assert "Wildflower honey — 340 g jar" in basket_html and "Wildflower honey — 1 kg tub" in basket_html
    assert "<strong>Wildflower honey — 340 g jar</strong> has been added to your basket" in basket_html
    assert 'alt="Wildflower honey — 1 kg tub"' in basket_html
    lines = Basket.objects.get().all_lines()
    assert sorted(line.description for line in lines) == [
        "Wildflower honey — 1 kg tub",
        "Wildflower honey — 340 g jar",
    ]


def test_sold_out_variant_cannot_be_chosen(seeded, client):
    tub = Product.objects.get(upc="RA-HONEY-1K")
    tub.stockrecords.update(num_in_stock=0)
    soup = BeautifulSoup(client.get(tub.parent.get_absolute_url()).content, "html.parser")
    [sold_out] = [label for label in soup.select(".variant-choice label") if "1 kg tub" in label.get_text()]
    assert sold_out.input.has_attr("disabled") and "sold out" in sold_out.get_text()
    client.post(reverse("basket:add", args=[tub.parent.pk]), {"child_id": tub.pk, "quantity": 1})
    assert not Basket.objects.filter(lines__product=tub).exists()


def test_product_with_variants_priced_from_its_cheapest_variant(seeded, client):
    soup = BeautifulSoup(client.get(ProducerPage.objects.get(slug="hillside").url).content, "html.parser")
    # 1 kg bag £2.40, 2.5 kg sack £5.20: whichever Oscar lists first, the card says the lowest.
    assert _card(soup, "Heritage potatoes").select_one(".price").get_text(strip=True) == "From £2.40"


def test_product_with_every_variant_sold_out_has_no_add_to_basket(seeded, client):
    for variant in Product.objects.filter(parent__upc="RA-POTATO"):
        variant.stockrecords.update(num_in_stock=0)
    soup = BeautifulSoup(client.get(ProducerPage.objects.get(slug="hillside").url).content, "html.parser")
    potatoes = _card(soup, "Heritage potatoes")
    assert potatoes.select_one("form") is None
    assert potatoes.select_one(".availability").get_text(strip=True) != ""


def test_product_page_shows_no_reviews_or_stars_unless_the_shop_takes_reviews(seeded, client):
    product = Product.objects.get(upc="RA-EGGS-6")
    html = client.get(product.get_absolute_url()).content.decode()

    assert "review" not in html.lower() and "star-rating" not in html
    add_review = f"/shop/catalogue/{product.slug}_{product.pk}/reviews/add/"
    assert client.get(add_review).status_code == 404
