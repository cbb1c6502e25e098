"""The behavior picture fits the screen at a phone's and a desktop's width, on the public flow page and
in the admin, without scrolling the page sideways. Screenshots land in var/screenshots/."""

from pathlib import Path

import pytest

from social.models import Flow
from tests.factories.social import blog_post, publish

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
WIDTHS = (360, 768, 1280)


def _fits(page, width: int, name: str) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    page.wait_for_load_state("networkidle")
    graph = page.locator("svg.behavior-graph").first
    graph.wait_for()
    box = graph.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (name, width, box)
    assert box["height"] > 40, (name, width, box)  # scaled, not collapsed
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, (name, width, scroll_width)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)


def test_behavior_picture_fits_phone_and_desktop_widths(staff_page, live_server):
    publish(blog_post(title="A post to draw"))
    flow = Flow.objects.order_by("-id").first()
    assert flow is not None
    page = staff_page
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/flows/{flow.pk}/")
        _fits(page, width, "flow-detail")
        page.goto(f"{live_server.url}/admin/flows/behaviors/")
        _fits(page, width, "admin-behaviors")
        page.goto(f"{live_server.url}/flows/")
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        page.screenshot(path=str(SCREENSHOTS / f"flow-list-{width}.png"), full_page=True)
