"""The shopper's path in a real browser: basket, guest checkout, SumUp's (fake) hosted page, thank-you."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from oscar.core.loading import get_model
from playwright.sync_api import expect

from tests.browser import log_in_browser

Product = get_model("catalogue", "Product")
Order = get_model("order", "Order")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sumup_webhook_delay() -> float:
    # SumUp's webhook lags the shopper's redirect a little; the lag also keeps SQLite's writers apart.
    return 1.5


@pytest.fixture
def market(transactional_db):
    call_command("seed_demo", verbosity=0)


def _add(page, base, upc):
    page.goto(base + Product.objects.get(upc=upc).get_absolute_url())
    page.locator("#add_to_basket_form button[type=submit]").click()
    expect(page.locator(".alert-success").first).to_be_visible()


def _checkout_to_sumup(page, base):
    page.goto(base + "/shop/checkout/")
    page.fill("#id_username", "guest@example.org")
    page.check("input[name=options][value=anonymous]")
    page.get_by_role("button", name="Continue").click()
    for field, value in {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "line1": "1 Market Street",
        "line4": "Hebden Bridge",
        "postcode": "HX7 8AA",
    }.items():
        page.fill(f"#id_{field}", value)
    page.get_by_role("button", name="Continue").click()
    page.locator("form:has(input[name=method_code][value=delivery]) button[type=submit]").click()
    expect(page.get_by_text("Local delivery").first).to_be_visible()
    page.locator("#place-order").click()
    expect(page.get_by_role("heading", name="Fake SumUp checkout")).to_be_visible()


def test_guest_buys_variant_and_product_with_delivery_order_in_dashboard(
    page, live_server, market, fake_sumup, browser
):
    base = live_server.url
    _add(page, base, "RA-HONEY-340")  # a variant of Wildflower honey
    _add(page, base, "RA-BREAD-SOUR")
    _checkout_to_sumup(page, base)
    # 7.50 + 4.20 (zero-rated food) + 4.95 delivery
    expect(page.locator(".amount")).to_contain_text("16.65 GBP")

    page.get_by_role("button", name="Pay").click()

    expect(page).to_have_url(re.compile(r"/shop/checkout/thank-you/"))
    order = Order.objects.get()
    expect(page.locator("body")).to_contain_text(order.number)
    assert sorted(order.lines.values_list("partner_sku", flat=True)) == ["RA-BREAD-SOUR", "RA-HONEY-340"]
    assert order.shipping_code == "delivery" and str(order.total_incl_tax) == "16.65"

    # Staff sign in through Django's session (the login page belongs to the accounts app).
    context = browser.new_context()
    log_in_browser(context, Client(), get_user_model().objects.get(email="admin@example.org"), base)
    staff = context.new_page()
    staff.goto(base + "/shop/dashboard/orders/")
    expect(staff.locator("table")).to_contain_text(order.number)
    staff.context.close()
    fake_sumup.wait_for_webhooks()
    assert fake_sumup.webhooks[-1].statuses[-1] == 204  # the late webhook found the order already placed
    assert Order.objects.count() == 1
    assert page.failed_requests == []


def test_guest_declined_payment_returns_to_intact_basket(page, live_server, market, fake_sumup):
    base = live_server.url
    _add(page, base, "RA-HONEY-340")
    _add(page, base, "RA-BREAD-SOUR")
    _checkout_to_sumup(page, base)

    page.get_by_role("button", name="Decline").click()

    expect(page).to_have_url(re.compile(r"/shop/basket/$"))
    expect(page.locator("body")).to_contain_text("declined")
    expect(page.locator("#content_inner")).to_contain_text("340 g jar")
    expect(page.locator("#content_inner")).to_contain_text("Sourdough loaf")
    assert not Order.objects.exists()
