"""A date's page and the organiser's event form in a real browser at 360, 768 and 1280 px: nothing
scrolls sideways, axe-core finds no serious or critical problem, the CSP blocks nothing, and the
form's "Dates" box follows what the organiser types."""

import time
from pathlib import Path

import pytest
from django.conf import settings

from tests.e2e.axe import serious_violations
from tests.factories import events as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCREENSHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"
WIDTHS = (360, 768, 1280)
PASSWORD = "a-long-test-passphrase"


def _sideways_overflow(page) -> int:
    """How many pixels the page is wider than the viewport (0: no horizontal scroll)."""
    return page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")


def _shoot(page, name: str) -> dict[int, int]:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    overflow = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"calendar-{name}-{width}.png"), full_page=True)
        overflow[width] = _sideways_overflow(page)
    return overflow


def _poll(page, script: str, timeout: float = 10.0):
    # page.wait_for_function is refused by the CSP (it evaluates a string): poll with evaluate.
    deadline = time.monotonic() + timeout
    while True:
        value = page.evaluate(script)
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


@pytest.fixture
def otto(transactional_db):
    organiser = f.user("otto@example.org")
    organiser.set_password(PASSWORD)
    organiser.save()
    return organiser


@pytest.fixture
def otto_calendar(otto):
    return f.organiser_calendar("Otto's workshops", otto)


@pytest.fixture
def pottery_date(otto_calendar):
    event = f.event(
        otto_calendar,
        "Pottery evening at the long-named community workshop",
        start=f.local(6, 19),
        end=f.local(6, 21),
        location="Wheel place, Unit 4 Riverside Yard, 12 Long Lane, Bristol BS1 4AA",
        description="Throw, trim and glaze: clay and aprons provided.",
        frequency="WEEKLY",
    )
    event.color_event = "#336699"
    event.save()
    f.ticket_type(event, name="Wheel place with tuition", price="6", quota=8)
    f.ticket_type(event, name="Watch and sketch", price="0", quota=4)
    return f"/events/o/{event.pk}/{int(event.start.timestamp())}/"


def test_date_page_and_event_form_fit_a_phone_and_pass_axe(
    live_server, page, otto, otto_calendar, pottery_date
):
    base = live_server.url

    page.goto(base + pottery_date)
    page.wait_for_load_state("networkidle")
    assert (
        page.locator(".map-link")
        .get_attribute("href")
        .startswith("https://www.openstreetmap.org/search?query=")
    )
    prices = page.locator("tr.ticket-type .price").all_inner_texts()
    assert sorted(prices) == ["Free", "£6.00"]
    overflow = _shoot(page, "date")
    page.set_viewport_size({"width": 360, "height": 900})
    problems = {"date": serious_violations(page)}

    page.goto(f"{base}/account/login/?next=/events/manage/new/")
    page.fill("#id_username", otto.email)
    page.fill("#id_password", PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base}/events/manage/new/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#id_calendar").input_value() == str(otto_calendar.pk)
    assert page.locator("#id_time_zone").input_value() == settings.TIME_ZONE
    page.fill("#id_title", "Pottery evening")
    page.fill("#id_start", "2026-12-09T19:00")
    page.fill("#id_end", "2026-12-09T21:00")
    page.select_option("#id_frequency", "WEEKLY")
    page.fill("#id_repeat_until", "2027-03-31")
    words = _poll(
        page,
        "() => { const w = document.querySelector('[data-recurrence-words]').textContent;"
        " return w.startsWith('Every') ? w : ''; }",
    )
    assert words == "Every Wednesday until 31 March 2027"
    assert page.locator("[data-recurrence-dates] li").count() == 5
    overflow.update({f"form {w}": px for w, px in _shoot(page, "form").items()})
    page.set_viewport_size({"width": 360, "height": 900})
    problems["form"] = serious_violations(page)

    # A form sent with an end before its start comes back with the error beside "Ends".
    page.fill("#id_end", "2026-12-09T18:00")
    page.click("text=Create event")
    page.wait_for_load_state("networkidle")
    error = page.locator("#id_end_error")
    assert "must end after it starts" in error.inner_text()
    assert page.locator("#id_end").get_attribute("aria-describedby") == "id_end_error"
    overflow.update({f"errors {w}": px for w, px in _shoot(page, "form-errors").items()})
    page.set_viewport_size({"width": 360, "height": 900})
    problems["form with errors"] = serious_violations(page)

    # django-scheduler's day table: the event's colour painted by static/js/site.js, not a style attribute.
    start = otto_calendar.event_set.get().start
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(
        f"{base}/events/calendar/daily/{otto_calendar.slug}/?year={start.year}&month={start.month}&day={start.day}"
    )
    page.wait_for_load_state("networkidle")
    chip = page.locator(".event-chip").first
    assert chip.evaluate("el => getComputedStyle(el).backgroundColor") == "rgb(51, 102, 153)"
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SCREENSHOTS / f"calendar-day-table-{width}.png"), full_page=True)
    problems["day table"] = serious_violations(page)

    assert overflow == dict.fromkeys(overflow, 0)
    assert problems == {"date": [], "form": [], "form with errors": [], "day table": []}
    assert page.console_errors == []
