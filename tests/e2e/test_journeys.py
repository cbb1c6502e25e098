"""The visitor's and the member's journeys, and our own Wagtail admin screens, at phone, tablet and
desktop widths: screenshots in var/screenshots/, no sideways scroll on a phone, and no serious or
critical axe-core finding on any of them."""

import re

import pytest
from django.core.management import call_command
from oscar.core.loading import get_model
from playwright.sync_api import expect

from tests.e2e.axe import distorted_images, screenshots, serious_violations, sideways_scroll

# Each test seeds the demo (about 30 s) and looks at ten pages three times: on a loaded machine the
# suite's 600 s default is too short.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]


def _survey(page, name: str, problems: dict[str, list[str]], *, phone: bool = True) -> None:
    """Screenshot the page at each width and note what is wrong with it under `name`: a sideways
    scroll at 360 px (public pages), axe-core's serious findings at 360 and 1280 px, and images
    stretched out of their proportions."""
    page.wait_for_load_state("networkidle")
    screenshots(page, name)
    found = []
    if phone:
        page.set_viewport_size({"width": 360, "height": 900})
        if overflow := sideways_scroll(page):
            found.append(f"scrolls sideways by {overflow}px at 360px")
        found += [f"at 360px: {violation}" for violation in serious_violations(page)]
        page.set_viewport_size({"width": 1280, "height": 900})
    found += serious_violations(page)
    found += [f"distorted image: {image}" for image in distorted_images(page)]
    problems[name] = found


def _visit(page, url: str) -> None:
    response = page.goto(url)
    assert response.ok, f"{response.status} {url}"


def test_visitor_shops_checks_out_and_member_signs_in_pages_fit_and_pass_axe(live_server, page, fake_sumup):
    from accounts.demo import DEMO_PASSWORD
    from cms.models import BlogPostPage
    from commerce.models import MarketPage, ProducerPage

    call_command("seed_demo", verbosity=0)
    base = live_server.url
    problems: dict[str, list[str]] = {}

    _visit(page, base + "/")
    _survey(page, "home", problems)

    _visit(page, base + BlogPostPage.objects.live().get(slug="nettle-soup").url)
    _survey(page, "blog-post", problems)

    _visit(page, base + MarketPage.objects.get().url)
    _survey(page, "market", problems)

    _visit(page, base + ProducerPage.objects.get(slug="hillside").url)
    _survey(page, "producer", problems)

    _visit(page, base + get_model("catalogue", "Product").objects.get(upc="RA-HONEY").get_absolute_url())
    _survey(page, "product-variants", problems)
    page.get_by_role("radio", name=re.compile("340 g jar")).check()
    page.locator("form.add-to-basket").get_by_role("button", name="Add to basket").click()
    expect(page.get_by_role("main")).to_contain_text("has been added to your basket")

    _visit(page, base + "/shop/basket/")
    expect(page.locator("#content_inner")).to_contain_text("Wildflower honey — 340 g jar")
    _survey(page, "basket", problems)

    _visit(page, base + "/shop/checkout/")
    _survey(page, "checkout-sign-in", problems)
    page.fill("#id_username", "guest@example.org")
    page.check("input[name=options][value=anonymous]")
    page.get_by_role("button", name="Continue").click()
    _survey(page, "checkout-collection-or-delivery", problems)
    page.get_by_role("button", name="Collect at the stall").click()
    expect(page).to_have_url(re.compile(r"/shop/checkout/preview/$"))
    expect(page.locator(".checkout-payment")).to_contain_text("SumUp")
    _survey(page, "checkout-payment", problems)

    page.context.clear_cookies()
    _visit(page, base + "/account/login/")
    form = page.locator("#login-form")
    form.locator("input[name=username]").fill("shopper@example.org")
    form.locator("input[name=password]").fill(DEMO_PASSWORD)
    form.locator("button[type=submit]").click()
    _visit(page, base + "/account/")
    expect(page.locator("h1")).to_be_visible()
    _survey(page, "member-dashboard", problems)

    assert problems == {name: [] for name in problems}, "\n".join(
        f"{name}: {found}" for name, found in problems.items() if found
    )
    assert page.failed_requests == []
    assert page.console_errors == []


def test_calendar_day_week_month_and_year_pages_fit_and_pass_axe(live_server, page):
    """django-scheduler's own pages of the demo's calendar (a market every Saturday), on the site's layout."""
    from django.utils import timezone
    from schedule.models import Event

    call_command("seed_demo", verbosity=0)
    base = live_server.url
    problems: dict[str, list[str]] = {}
    market = timezone.localtime(Event.objects.get(title="Saturday market").start)
    on_market_day = f"?year={market.year}&month={market.month}&day={market.day}"

    for view in ("daily", "week", "month", "year"):
        _visit(page, f"{base}/events/calendar/{view}/cooperative/{on_market_day}")
        expect(page.locator("h1")).to_have_text("Cooperative calendar")
        if view != "year":
            market_link = page.get_by_role("main").get_by_role("link", name=re.compile("Saturday market"))
            expect(market_link.first).to_be_visible()
        _survey(page, f"calendar-{view}", problems)

    assert problems == {name: [] for name in problems}, "\n".join(
        f"{name}: {found}" for name, found in problems.items() if found
    )
    assert page.failed_requests == []
    assert page.console_errors == []


def test_our_admin_screens_pass_axe(live_server, page):
    from accounts.demo import DEMO_PASSWORD
    from durable.runner import stateful_models
    from social.models import Flow

    call_command("seed_demo", verbosity=0)
    base = live_server.url
    problems: dict[str, list[str]] = {}

    _visit(page, base + "/admin/login/")
    page.fill("input[name=username]", "admin@example.org")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/admin/")

    screens = {
        "admin-flows": "/admin/flows/",
        "admin-flow": f"/admin/flows/{Flow.objects.order_by('pk').first().pk}/",
        "admin-behaviors": "/admin/flows/behaviors/",
        "admin-state-machines": "/admin/state-machines/",
        "admin-staff-notifications": "/admin/staff-notifications/",
        "admin-replies-to-moderate": "/admin/federation_comments/",
        "admin-hub-timeline": "/admin/hub/",  # each item's block and mute actions
        "admin-hub-blocks": "/admin/hub/blocks/",
        "admin-hub-notifications": "/admin/hub/notifications/",
    }
    busiest = max(stateful_models(), key=lambda model: model._default_manager.count())
    screens["admin-state-machine-rows"] = f"/admin/state-machines/{busiest._meta.label_lower}/"
    for name, path in screens.items():
        _visit(page, base + path)
        _survey(page, name, problems, phone=False)

    assert problems == {name: [] for name in problems}, "\n".join(
        f"{name}: {found}" for name, found in problems.items() if found
    )
    assert page.failed_requests == []
    assert page.console_errors == []
