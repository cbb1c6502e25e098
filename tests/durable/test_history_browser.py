"""A failed row's admin page in Debian's chromium at a phone's and a desktop's width: nothing scrolls
sideways, the picture fits with the path and the current state drawn, axe-core finds nothing serious.
Screenshots in var/screenshots/."""

from datetime import timedelta

import pytest
from django.utils import timezone

from commerce.models import ProductImport
from durable.models import Transition
from tests.e2e.axe import SCREENSHOTS, serious_violations, sideways_scroll

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_failed_row_page_fits_phone_and_desktop_and_passes_axe(staff_page, live_server):
    row = ProductImport.objects.create(original_name="market-stalls-spring-2026.json")
    now = timezone.now() - timedelta(minutes=20)
    lines = [Transition.of(row, "running", at=now, attempt=1)]
    row.state = "running"
    for attempt in (1, 2):
        error = f"IntegrityError: stock record BOOM refused by the database (try {attempt}) " * 3
        at = now + timedelta(minutes=attempt * 5)
        retry = Transition.of(row, "running", at=at, attempt=attempt, error=error, kind="retry", due_at=at)
        lines.append(retry)
    lines.append(Transition.of(row, "failed", at=now + timedelta(minutes=15), attempt=3, error="boom"))
    Transition.objects.bulk_create(lines)
    ProductImport.objects.filter(pk=row.pk).update(state="failed", last_error="IntegrityError: boom " * 10)
    page = staff_page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in (360, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/admin/state-machines/commerce.productimport/{row.pk}/")
        page.wait_for_load_state("networkidle")
        graph = page.locator("svg.state-graph")
        box = graph.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (width, box)
        assert graph.locator('g.node.current[data-node="failed"]').count() == 1
        assert page.locator("tr.durable-history__line").count() == 4
        assert page.get_by_role("button", name="Retry from running").is_visible()
        assert sideways_scroll(page) == 0
        assert serious_violations(page) == []
        page.screenshot(path=str(SCREENSHOTS / f"state-machine-row-{width}.png"), full_page=True)
    assert page.failed_requests == [] and page.console_errors == []
