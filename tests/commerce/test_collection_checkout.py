"""Collecting at the market stall: no address step, SumUp named as the payment, a variant's order line."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from commerce.models import PaymentAttempt
from tests.factories.commerce import country_gb, stocked_product

Order = get_model("order", "Order")
Product = get_model("catalogue", "Product")

pytestmark = pytest.mark.django_db


def _variant_of(parent_title: str, variant_title: str, price: str = "7.50"):
    from oscar.test.factories import create_product

    product = stocked_product(price=price)
    parent = create_product(title=parent_title, structure="parent", product_class="Preserves")
    product.title, product.parent, product.structure, product.product_class = (
        variant_title,
        parent,
        "child",
        None,
    )
    product.save()
    return parent, product


def collect_to_preview(client, add):
    """A guest's checkout choosing collection; returns the redirect chain and the preview page."""
    country_gb()
    add()
    client.post(reverse("checkout:index"), {"username": "ada@example.org", "options": "anonymous"})
    choose = client.get(reverse("checkout:shipping-address")).content.decode()
    assert 'name="method_code" value="collection-point"' in choose
    return client.post(reverse("checkout:shipping-method"), {"method_code": "collection-point"}, follow=True)


def test_collection_checkout_has_no_address_step_and_names_sumup(client):
    honey = stocked_product(num_in_stock=5)
    preview = collect_to_preview(
        client, lambda: client.post(reverse("basket:add", args=[honey.pk]), {"quantity": 1})
    )

    visited = [url for url, _ in preview.redirect_chain]
    assert reverse("checkout:shipping-address") not in visited
    assert preview.request["PATH_INFO"] == reverse("checkout:preview")
    html = preview.content.decode()
    assert "Collect at the market stall" in html and "SumUp" in html
    assert "Payment details to go here" not in html


def test_collection_order_placed_without_address_paid_and_variant_named(client, fake_sumup):
    parent, jar = _variant_of("Wildflower honey", "340 g jar")
    collect_to_preview(
        client,
        lambda: client.post(reverse("basket:add", args=[parent.pk]), {"child_id": jar.pk, "quantity": 2}),
    )
    response = client.post(reverse("checkout:preview"), {"action": "place_order"})
    attempt = PaymentAttempt.objects.get()
    assert response["Location"] == attempt.hosted_checkout_url
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")

    client.get(reverse("commerce:sumup-return", args=[attempt.public_id]))

    order = Order.objects.get()
    assert order.shipping_address is None and order.shipping_code == "collection-point"
    assert order.status == "Paid" and list(order.lines.values_list("status", flat=True)) == ["Paid"]
    assert [line.title for line in order.lines.all()] == ["Wildflower honey — 340 g jar"]
    assert order.shipping_method == "Collect at the market stall"


def test_delivery_still_asks_for_an_address(client):
    honey = stocked_product(num_in_stock=5)
    country_gb()
    client.post(reverse("basket:add", args=[honey.pk]), {"quantity": 1})
    client.post(reverse("checkout:index"), {"username": "ada@example.org", "options": "anonymous"})
    response = client.post(reverse("checkout:shipping-method"), {"method_code": "delivery"})
    assert response["Location"] == reverse("checkout:shipping-address")
    preview = client.get(reverse("checkout:preview"))
    assert preview["Location"] == reverse("checkout:shipping-address")
