"""The Content-Security-Policy in a real browser: the public pages and the organiser's calendar load
with not one violation (no inline script or style left), and what their scripts did still happens."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from oscar.core.loading import get_model
from playwright.sync_api import expect

from cms.models import BlogIndexPage, BlogPostPage
from commerce.models import MarketPage

Product = get_model("catalogue", "Product")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"

# Runs in every document before its own scripts; reports each violation to the test through a binding
# (a page's own variables are lost when it navigates, the binding is not).
_LISTEN = """
document.addEventListener("securitypolicyviolation", function (event) {
    window.reportCspViolation(location.pathname + ": " + event.violatedDirective + " blocked "
        + (event.blockedURI || "inline") + " (" + (event.sourceFile || "") + ":" + event.lineNumber + ")");
});
"""


def _watch(page) -> list[str]:
    violations: list[str] = []
    page.expose_binding("reportCspViolation", lambda source, text: violations.append(text))
    page.add_init_script(_LISTEN)
    # Chromium also logs each violation it blocks ("Refused to execute inline script ...").
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and violations.append(message.text),
    )
    return violations


def _visit(page, url: str, shot: str = "") -> None:
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response.ok, f"{response.status} {url}"
    policy = [part.strip() for part in response.headers["content-security-policy"].split(";")]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy, policy
    if shot:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=str(SCREENSHOTS / f"csp-{shot}-{width}.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 900})


def test_public_pages_and_calendar_load_without_csp_violation(live_server, page):
    from accounts.demo import DEMO_PASSWORD

    call_command("seed_demo", verbosity=0)
    base = live_server.url
    violations = _watch(page)

    _visit(page, f"{base}/", "home")
    _visit(page, base + BlogIndexPage.objects.live().first().url)
    _visit(page, base + BlogPostPage.objects.live().first().url, "post")
    _visit(page, base + MarketPage.objects.get().url, "market")

    _visit(page, base + Product.objects.get(upc="RA-HONEY").get_absolute_url(), "product")
    page.get_by_role("radio", name="340 g jar — £7.50, 40 in stock").check()
    page.locator("form.add-to-basket").get_by_role("button", name="Add to basket").click()
    # The shared page's form is sent once site.js has fetched the reader's token: going on before it
    # lands would abort that navigation.
    expect(page.get_by_role("main")).to_contain_text("has been added to your basket")
    _visit(page, f"{base}/shop/basket/", "basket")
    expect(page.locator("#content_inner")).to_contain_text("Wildflower honey — 340 g jar")
    # oscar.basket.init (now started by static/js/site.js) shows the voucher form on its link.
    page.locator("#voucher_form_link a").click()
    expect(page.locator("#voucher_form_container")).to_be_visible()

    # oscar.search.init (site.js) submits the catalogue's sort form when the order is changed.
    _visit(page, f"{base}/shop/catalogue/")
    sort = page.locator("select[name=sort_by]")
    if sort.count():
        sort.select_option(index=1)
        page.wait_for_url("**sort_by=*")

    _visit(page, f"{base}/events/", "events")
    grid = page.locator("table.event-month")
    if grid.locator(".event-occurrence").count() == 0:
        page.get_by_role("link", name="Next month →").click()  # the demo's dates may fall next month
        page.wait_for_load_state("networkidle")
    grid.locator(".event-occurrence a").first.click()
    page.wait_for_load_state("networkidle")
    _visit(page, page.url, "event-date")

    _visit(page, f"{base}/account/login/?next=/events/manage/", "login")
    page.fill("#id_username", "organiser@example.org")
    page.fill("#id_password", DEMO_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base}/events/manage/")
    page.locator("a[href*='/events/fullcalendar/']").first.click()
    page.wait_for_load_state("networkidle")
    # static/js/calendar.js (once inline) drew FullCalendar from the URLs on #calendar's data-*.
    try:
        expect(page.locator("#calendar .fc-toolbar-title")).to_be_visible()
    except AssertionError as error:
        raise AssertionError(f"calendar not drawn: {violations} {page.console_errors}") from error
    _visit(page, page.url, "calendar")

    assert violations == []
    assert page.console_errors == []
