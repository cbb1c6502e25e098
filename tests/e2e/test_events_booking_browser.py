"""Events done-when: an organiser makes a recurring ticketed event, a shopper books and pays, one check-in."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from oscar.core.loading import get_model
from playwright.sync_api import expect

Order = get_model("order", "Order")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, base: str, email: str, next_path: str) -> None:
    from accounts.demo import DEMO_PASSWORD

    page.goto(f"{base}/account/login/?next={next_path}")
    page.fill("#id_username", email)
    page.fill("#id_password", DEMO_PASSWORD)
    page.press("#id_password", "Enter")
    page.wait_for_url(f"{base}{next_path}")


@pytest.fixture
def sumup_webhook_delay() -> float:
    # SumUp's webhook lags the shopper's redirect a little; the lag also keeps SQLite's writers apart.
    return 1.5


def test_organiser_event_shopper_books_buys_and_organiser_checks_in_once(live_server, browser, fake_sumup):
    from django.core.management import call_command

    from events.models import Booking

    call_command("seed_demo", verbosity=0)
    base = live_server.url
    organiser = browser.new_context().new_page()
    shopper = browser.new_context().new_page()

    # The organiser creates a weekly event with a free ticket type, then adds a paid one.
    _log_in(organiser, base, "organiser@example.org", "/events/manage/new/")
    start = timezone.localtime() + timedelta(days=3)
    organiser.select_option("#id_calendar", label="Otto's workshops")
    organiser.fill("#id_title", "Repair café")
    organiser.fill("#id_location", "The back room")
    organiser.fill("#id_start", start.strftime("%Y-%m-%dT18:00"))
    organiser.fill("#id_end", start.strftime("%Y-%m-%dT20:00"))
    organiser.select_option("#id_frequency", "WEEKLY")
    organiser.fill("#id_ticket_name", "Free place")
    organiser.fill("#id_ticket_price", "0")
    organiser.fill("#id_ticket_quota", "12")
    organiser.click("text=Create event")
    organiser.wait_for_url(re.compile(r".*/events/manage/\d+/$"))
    assert "Free place: free, 12 places per date" in organiser.content()
    organiser.fill("#id_name", "Supporter ticket")
    organiser.fill("#id_price", "10.00")
    organiser.fill("#id_quota", "5")
    organiser.click("text=Add ticket type")
    organiser.wait_for_selector("text=Supporter ticket")
    dates = organiser.locator("table a")
    assert dates.count() >= 4  # weekly: several dates listed
    occurrence_path = dates.first.get_attribute("href")

    # A shopper books a free place on the first date; the ticket page shows the code and QR code.
    _log_in(shopper, base, "shopper@example.org", occurrence_path)
    assert "Repair café" in shopper.content()
    shopper.click("text=Book a free place")
    shopper.wait_for_url(f"{base}/events/tickets/")
    code = shopper.locator(".ticket-code").first.inner_text()
    assert Booking.objects.get(code=code).user.email == "shopper@example.org"
    qr = shopper.locator(f'img[alt="QR code for ticket {code}"]')
    assert qr.evaluate("img => img.naturalWidth") > 0

    # The paid ticket goes into the Oscar basket with its date, and is paid on SumUp's hosted page.
    shopper.goto(f"{base}{occurrence_path}")
    shopper.click("text=Add to basket")
    shopper.wait_for_url(f"{base}/shop/basket/")
    assert "Supporter ticket" in shopper.content()
    shopper.goto(f"{base}/shop/checkout/")
    # Tickets need no shipping: a signed-in buyer goes straight to the preview.
    shopper.wait_for_url(re.compile(r".*/shop/checkout/preview/$"))
    shopper.click("#place-order")
    expect(shopper.get_by_role("heading", name="Fake SumUp checkout")).to_be_visible()
    expect(shopper.locator(".amount")).to_contain_text("GBP")
    shopper.get_by_role("button", name="Pay").click()
    expect(shopper).to_have_url(re.compile(r"/shop/checkout/thank-you/"))
    order = Order.objects.get(user__email="shopper@example.org")
    expect(shopper.locator("body")).to_contain_text(order.number)
    # SumUp's late webhook lands before the door opens: SQLite has one writer at a time.
    fake_sumup.wait_for_webhooks()

    # The order issued the paid ticket: it shows among the shopper's tickets with its own code.
    shopper.goto(f"{base}/events/tickets/")
    paid = shopper.locator("section.ticket", has_text="Supporter ticket")
    expect(paid).to_have_count(1)
    paid_code = paid.locator(".ticket-code").inner_text()
    ticket = Booking.objects.get(code=paid_code)
    assert ticket.order_line.order == order and ticket.user.email == "shopper@example.org"
    assert paid_code != code

    # At the door: the organiser checks the bought ticket in once; the second time it is refused.
    organiser.goto(f"{base}/events/check-in/")
    organiser.fill("#id_code", paid_code)
    organiser.click("text=Check in")
    result = organiser.locator(".check-in-result")
    assert result.get_attribute("data-ok") == "true"
    assert "Supporter ticket" in result.inner_text()
    organiser.fill("#id_code", paid_code)
    organiser.click("text=Check in")
    result = organiser.locator(".check-in-result")
    assert result.get_attribute("data-ok") == "false"
    assert "Already checked in" in result.inner_text()
    assert Booking.objects.get(code=paid_code).checked_in_at is not None
