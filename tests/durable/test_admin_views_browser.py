"""The state machines page in Debian's chromium at a phone's and a desktop's width: nothing scrolls
sideways, the pictures fit, a count leads to its rows. Screenshots in var/screenshots/."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from commerce.models import ProductImport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = (390, 1280)


def test_state_machines_page_fits_phone_and_desktop(staff_page, live_server):
    now = timezone.now()
    for state, count in (("pending", 2), ("running", 1), ("done", 4), ("failed", 1)):
        for n in range(count):
            ProductImport.objects.create(original_name=f"{state}-{n}.json", state=state)
    ProductImport.objects.filter(state="running").update(locked_until=now - timedelta(hours=1))
    ProductImport.objects.filter(state="failed").update(last_error="ValueError: " + "no price in row 7 " * 20)
    page = staff_page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/admin/state-machines/")
        page.wait_for_load_state("networkidle")
        graph = page.locator("#machine-commerceproductimport svg.state-graph")
        box = graph.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (width, box)
        assert graph.locator('g.node.failure[data-node="failed"]').count() == 1
        assert page.locator("#machine-eventsbookingreminder svg.state-graph").is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SCREENSHOTS / f"state-machines-{width}.png"), full_page=True)

        page.locator('#machine-commerceproductimport tr[data-state="failed"] .state-row__rows a').click()
        page.wait_for_load_state("networkidle")
        assert page.locator("tr.durable-row").count() == 1
        assert page.get_by_text("no price in row 7", exact=False).is_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SCREENSHOTS / f"state-machine-rows-{width}.png"), full_page=True)
    assert page.failed_requests == [] and page.console_errors == []
