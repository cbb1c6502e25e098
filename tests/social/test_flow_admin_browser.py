"""The admin flow log's filters and the behavior pictures with their counts, in Debian's chromium at a
phone's and a desktop's width: nothing scrolls sideways, the filters work. Screenshots in var/screenshots/."""

from pathlib import Path

import pytest

from social.models import Flow

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = (390, 1280)


def flows() -> Flow:
    for n, status in enumerate(["succeeded", "succeeded", "refused", "running"]):
        Flow.objects.create(
            behavior="publish",
            event="published",
            object_key=f"page:{n}",
            payload={"title": f"A harvest report with a long title, number {n}"},
            status=status,
            cursor="" if status in ("succeeded", "refused") else "deliver",
        )
    return Flow.objects.create(
        behavior="publish",
        event="published",
        object_key="page:77",
        payload={"title": "The storm warning that failed"},
        status="failed",
        cursor="deliver",
        error="step 'deliver' failed 5 times; last error:\nConnectionError: the network is down",
    )


def _no_sideways_scroll(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, (width, scroll_width)


def test_flow_filters_and_behavior_counts_at_phone_and_desktop_widths(staff_page, live_server):
    failed = flows()
    page = staff_page
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/admin/flows/")
        page.select_option("#id_status", "failed")
        page.fill("#id_object", "storm")
        page.get_by_role("button", name="Filter").click()
        page.wait_for_load_state("networkidle")
        assert "status=failed" in page.url and "object=storm" in page.url
        rows = page.locator("tr.flow-row")
        assert rows.count() == 1 and "The storm warning that failed" in rows.first.inner_text()
        _no_sideways_scroll(page, width)
        page.screenshot(path=str(SCREENSHOTS / f"flowlog-list-{width}.png"), full_page=True)

        page.goto(f"{live_server.url}/admin/flows/behaviors/")
        page.wait_for_load_state("networkidle")
        graph = page.locator("#behavior-publish svg.behavior-graph")
        box = graph.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (width, box)
        failed_count = graph.locator('g[data-node="deliver"] text.count[data-label="failed"]')
        assert failed_count.text_content() == "1 failed"
        _no_sideways_scroll(page, width)
        page.screenshot(path=str(SCREENSHOTS / f"flowlog-behaviors-{width}.png"), full_page=True)

    failed_count.click()  # the count links to those flows in the log
    page.wait_for_load_state("networkidle")
    assert page.locator("tr.flow-row").count() == 1
    assert page.locator("tr.flow-row a").first.inner_text() == str(failed.pk)

    page.locator("tr.flow-row a").first.click()  # the failed flow, and the way to retry it
    page.get_by_role("link", name="Retry from deliver…").click()
    page.wait_for_load_state("networkidle")
    assert page.get_by_role("button", name="Retry from deliver").is_visible()
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.reload()
        page.wait_for_load_state("networkidle")
        assert page.get_by_text("ConnectionError: the network is down").is_visible()
        _no_sideways_scroll(page, width)
        page.screenshot(path=str(SCREENSHOTS / f"flowlog-retry-{width}.png"), full_page=True)
    failed.refresh_from_db()
    assert failed.status == "failed"  # asking is not retrying
    assert page.failed_requests == [] and page.console_errors == []
