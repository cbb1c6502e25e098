"""The header's search box in a real browser: a product's name finds the product, an event's its event."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(transactional_db):
    call_command("seed_demo", verbosity=0)


def _search_from_the_header(page, words: str) -> None:
    box = page.locator("#site-search-q")
    box.fill(words)
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q="))


def test_header_search_finds_a_product_and_an_event(page, live_server, demo):
    page.goto(live_server.url + "/")
    _search_from_the_header(page, "Wildflower honey")
    product = page.locator(".search-result-products", has_text="Wildflower honey")
    expect(product).to_be_visible()
    expect(product.locator(".price")).to_contain_text("£")
    expect(product.locator(".availability")).to_contain_text(re.compile("in stock", re.I))

    _search_from_the_header(page, "Bread-baking workshop")
    event = page.locator(".search-result-events", has_text="Bread-baking workshop")
    expect(event).to_contain_text("Next:")
    page.get_by_role("link", name="Events (1)").click()
    expect(page.locator(".search-result-events")).to_have_count(1)
    expect(page.locator(".search-section")).to_have_count(1)

    event.get_by_role("link", name="Bread-baking workshop").click()
    expect(page.locator("h1")).to_contain_text("Bread-baking workshop")
    product_page = page.goto(live_server.url + "/search/?q=honey&type=products")
    assert product_page.status == 200
    page.locator(".search-result-products a", has_text="Wildflower honey").first.click()
    expect(page.locator("h1")).to_contain_text("Wildflower honey")
    assert not page.failed_requests and not page.console_errors, (page.failed_requests, page.console_errors)
