"""The admin's state screens at a phone's width (360 px) in Debian's chromium: the flow log is a list
of cards, a durable row's page is headed by its model's verbose name, and neither page scrolls
sideways. Screenshots in var/screens/."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from commerce.models import ProductImport
from durable.models import Transition
from social.models import Flow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENS = Path(__file__).resolve().parents[2] / "var" / "screens"
PHONE = 360


def flows_logged() -> None:
    for n, status in enumerate(["succeeded", "failed", "running"]):
        Flow.objects.create(
            behavior="publish",
            event="published",
            object_key=f"page:{n}",
            payload={"title": f"A harvest report with a rather long title to wrap, number {n}"},
            status=status,
            cursor="deliver" if status != "succeeded" else "",
            path=["start", "record_activity", "build_object", "fan_out", "deliver"][: 3 + n],
        )


def failed_import() -> ProductImport:
    row = ProductImport.objects.create(original_name="market-stalls-spring-2026-with-a-long-name.json")
    at = timezone.now() - timedelta(minutes=10)
    Transition.objects.bulk_create(
        [
            Transition.of(row, "running", at=at, attempt=1),
            Transition.of(row, "failed", at=at + timedelta(minutes=5), attempt=1, error="Integrity " * 8),
        ]
    )
    ProductImport.objects.filter(pk=row.pk).update(state="failed", last_error="IntegrityError: boom " * 10)
    return row


def page_fits_a_phone(page) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= PHONE, scroll_width


def screenshot(page, name: str) -> None:
    """The whole screen: Wagtail's admin scrolls its main area, not the document, so a full-page
    shot of a phone-high window would stop at the fold; a taller window shows it all."""
    page.set_viewport_size({"width": PHONE, "height": 2000})
    page.screenshot(path=str(SCREENS / f"{name}-{PHONE}.png"), full_page=True)
    page.set_viewport_size({"width": PHONE, "height": 800})


def test_admin_state_screens_fit_a_phone(staff_page, live_server):
    flows_logged()
    row = failed_import()
    page = staff_page
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.set_viewport_size({"width": PHONE, "height": 800})

    page.goto(f"{live_server.url}/admin/flows/")
    page.wait_for_load_state("networkidle")
    cards = page.locator("tr.flow-row")
    assert cards.count() == 3
    assert not page.locator(".flow-table thead").is_visible()  # each line says what it is instead
    for n in range(cards.count()):
        box = cards.nth(n).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE, (n, box)  # not a row of a wide table
    assert cards.first.locator('td[data-label="Status"]').is_visible()
    page_fits_a_phone(page)
    screenshot(page, "flow-log")

    page.goto(f"{live_server.url}/admin/state-machines/commerce.productimport/{row.pk}/")
    page.wait_for_load_state("networkidle")
    header = page.locator("h1").first.inner_text()
    assert f"Product import {row.pk}" in header and "ProductImport" not in header, header
    assert page.get_by_role("link", name="← Product imports in failed").is_visible()
    assert page.locator("tr.durable-history__line").count() == 2
    page_fits_a_phone(page)
    screenshot(page, "durable-row")

    page.get_by_role("link", name="← Product imports in failed").click()
    page.wait_for_load_state("networkidle")
    assert "Product imports: failed" in page.locator("h1").first.inner_text()
    page_fits_a_phone(page)
    screenshot(page, "durable-rows")
    assert page.failed_requests == [] and page.console_errors == []
