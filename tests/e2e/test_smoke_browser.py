"""The four front doors render in a real browser with no network beyond the site, no failed request
and no console error: the home page, the Wagtail admin (through its login form), the shop, /events/."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _offline(page, origin: str) -> list[str]:
    """Abort every request leaving the live server, and return the list they are recorded in: the
    site must work with no CDN, font service or analytics."""
    outside: list[str] = []

    def handle(route):
        if route.request.url.startswith(origin + "/"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.context.route("**/*", handle)
    return outside


def _visit(page, url: str) -> None:
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response.ok, f"{response.status} {url}"


def test_front_doors_render_offline_and_cleanly(live_server, page):
    from django.core.management import call_command

    from accounts.demo import DEMO_PASSWORD

    call_command("seed_demo", verbosity=0)
    origin = live_server.url
    outside = _offline(page, origin)

    _visit(page, f"{origin}/")
    assert page.locator("main").count() == 1

    _visit(page, f"{origin}/admin/")  # Wagtail sends a visitor to the site's one login form
    form = page.locator("#login-form")
    form.locator("input[name=username]").fill("editor@example.org")
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"{origin}/admin/")
    page.wait_for_load_state("networkidle")
    page.locator(".w-dashboard").wait_for()

    _visit(page, f"{origin}/shop/")
    assert page.locator("article.product_pod").count() >= 1
    page.locator("article.product_pod").first.wait_for()

    _visit(page, f"{origin}/events/")
    grid = page.locator("table.event-month")
    grid.wait_for()
    if grid.locator(".event-occurrence").count() == 0:
        # The demo's first dates are the coming Saturday and Thursday: on a month's last weekend
        # they fall in the next month's grid, one click away.
        page.get_by_role("link", name="Next month →").click()
        page.wait_for_load_state("networkidle")
    assert grid.locator(".event-occurrence a").count() >= 1

    discovery = page.request.get(f"{origin}/o/.well-known/openid-configuration")
    assert discovery.ok and discovery.json()["issuer"]

    assert outside == []
    assert page.failed_requests == []
    assert page.console_errors == []
