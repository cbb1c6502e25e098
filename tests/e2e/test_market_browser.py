"""The market in a real browser at phone, tablet and desktop widths: screenshots, no sideways scroll,
a variant chosen and bought for collection at the stall."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from oscar.core.loading import get_model
from playwright.sync_api import expect

from commerce.models import MarketPage, ProducerPage

Product = get_model("catalogue", "Product")
Order = get_model("order", "Order")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = (360, 768, 1280)
SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


@pytest.fixture
def sumup_webhook_delay() -> float:
    return 1.5  # SumUp's webhook lags the shopper's redirect; the lag keeps SQLite's writers apart


@pytest.fixture
def market(transactional_db):
    call_command("seed_demo", verbosity=0)


def _look(page, name: str) -> None:
    """Screenshot the page at each width, and fail if any width scrolls sideways."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{name} scrolls sideways by {overflow}px at {width}px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_shopper_picks_variant_and_collects_at_stall(page, live_server, market, fake_sumup):
    base = live_server.url
    page.goto(base + MarketPage.objects.get().url)
    expect(page.locator(".product-card").first).to_be_visible()
    _look(page, "market")

    page.goto(base + ProducerPage.objects.get(slug="hillside").url)
    eggs = page.locator(".product-card", has_text="Free-range eggs")
    expect(eggs.locator(".availability")).to_have_text("60 in stock")
    _look(page, "producer")
    eggs.get_by_role("button", name="Add to basket").click()
    expect(page.locator(".messages")).to_contain_text("has been added to your basket")

    page.goto(base + Product.objects.get(upc="RA-HONEY").get_absolute_url())
    _look(page, "product-variants")
    page.get_by_role("radio", name="340 g jar — £7.50, 40 in stock").check()
    page.locator("form.add-to-basket").get_by_role("button", name="Add to basket").click()

    page.goto(base + "/shop/basket/")
    expect(page.locator("#content_inner")).to_contain_text("Wildflower honey — 340 g jar")
    _look(page, "basket")

    page.goto(base + "/shop/checkout/")
    page.fill("#id_username", "guest@example.org")
    page.check("input[name=options][value=anonymous]")
    page.get_by_role("button", name="Continue").click()
    _look(page, "checkout-collection-or-delivery")
    page.get_by_role("button", name="Collect at the stall").click()

    expect(page).to_have_url(re.compile(r"/shop/checkout/preview/$"))
    expect(page.locator("body")).to_contain_text("Collect at the market stall")
    expect(page.locator(".checkout-payment")).to_contain_text("SumUp")
    expect(page.locator("address")).to_have_count(0)
    _look(page, "checkout-preview")

    assert page.console_errors == []  # our pages; the fake SumUp page has no favicon
    page.locator("#place-order").click()
    page.get_by_role("button", name="Pay").click()
    expect(page).to_have_url(re.compile(r"/shop/checkout/thank-you/"))
    order = Order.objects.get()
    assert order.shipping_address is None and order.status == "Paid"
    assert sorted(order.lines.values_list("title", flat=True)) == [
        "Free-range eggs, 6",
        "Wildflower honey — 340 g jar",
    ]
    assert page.failed_requests == []
