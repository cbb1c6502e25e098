"""A member's whole journey in a real browser: sign up, confirm, subscribe, dashboard, export, delete."""

import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-Member-passphrase-2026"


def _link_from_outbox(fragment: str) -> str:
    for message in reversed(mail.outbox):
        for url in re.findall(r"https?://\S+", message.body):
            if fragment in url:
                return url
    raise AssertionError(f"no email with a {fragment} link in {[m.subject for m in mail.outbox]}")


def _order_and_ticket_for(user):
    """The market's and the calendar's own flows make these; here we create them directly."""
    from oscar.test.factories import ShippingAddressFactory, create_order

    from events.bookings import booking_create_free
    from tests.factories import events as event_factories

    order = create_order(user=user, shipping_address=ShippingAddressFactory())
    start = (timezone.now() + timedelta(days=7)).replace(microsecond=0)
    with transaction.atomic():
        calendar = event_factories.organiser_calendar("Co-op gatherings")
        supper = event_factories.event(
            calendar, "Harvest supper", start=start, end=start + timedelta(hours=2)
        )
        place = event_factories.ticket_type(supper, name="Seat", quota=10)
        booking = booking_create_free(ticket_type=place, original_start=start, user=user)
    return order, booking


def _seed():
    """seed_demo; if another app's seeder is broken mid-development, at least ours and the home page."""
    try:
        call_command("seed_demo", verbosity=0)
    except Exception as error:
        print(f"seed_demo failed ({error!r}); seeding accounts and home only")
        from accounts.demo import seed as seed_accounts
        from home.demo import seed as seed_home

        seed_accounts()
        seed_home()


def test_member_signs_up_subscribes_sees_order_and_ticket_exports_and_deletes(
    live_server, page, settings, tmp_path
):
    from accounts.models import Subscription, User

    _seed()
    settings.SITE_URL = live_server.url  # links in emails point at this server

    # Sign up.
    page.goto(f"{live_server.url}/account/signup/")
    page.fill("#id_email", "newcomer@example.org")
    page.fill("#id_first_name", "Nell")
    page.fill("#id_last_name", "Newcomer")
    page.fill("#id_password", PASSWORD)
    page.click("#signup-form button[type=submit]")
    page.wait_for_selector("text=Check your email")

    # Confirm the address from the email; that logs the member in.
    page.goto(_link_from_outbox("/account/confirm/"))
    page.wait_for_selector("text=your email address is confirmed")
    assert page.url == f"{live_server.url}/account/"
    user = User.objects.get(email="newcomer@example.org")
    assert user.email_verified

    # Subscribe to a newsletter: nothing until the emailed link is followed.
    page.click("[data-newsletter=cooperative-news] button:has-text('Subscribe')")
    page.wait_for_selector("text=Check your email to confirm your subscription")
    assert Subscription.objects.get(email=user.email).status == "pending"
    page.goto(_link_from_outbox("/newsletters/confirm/"))
    page.wait_for_selector("text=You are subscribed")
    assert Subscription.objects.get(email=user.email).status == "active"

    # An order from the market and a ticket from the calendar show on the dashboard.
    order, booking = _order_and_ticket_for(user)
    page.goto(f"{live_server.url}/account/")
    assert page.locator("#orders").inner_text().count(str(order.number)) == 1
    bookings = page.locator("#bookings").inner_text()
    assert "Harvest supper" in bookings and booking.code in bookings
    assert "Subscribed" in page.locator("[data-newsletter=cooperative-news]").inner_text()

    # Download everything as JSON.
    with page.expect_download() as download_info:
        page.click("#export-link")
    exported = json.loads((download_info.value.path()).read_text())
    assert exported["profile"]["email"] == "newcomer@example.org"
    assert [row["number"] for row in exported["orders"]] == [str(order.number)]
    assert [row["code"] for row in exported["bookings"]] == [booking.code]
    assert exported["subscriptions"][0]["status"] == "active"

    # Delete the account; the order stays, anonymised.
    page.click("text=Delete my account")
    page.fill("#id_password", PASSWORD)
    page.click("#delete-form button[type=submit]")
    page.wait_for_selector("text=Your account is deleted")
    assert not User.objects.filter(email="newcomer@example.org").exists()
    order.refresh_from_db()
    assert order.user is None and order.guest_email == ""
    booking.refresh_from_db()
    assert booking.user is None and booking.email == ""
    assert not Subscription.objects.filter(email="newcomer@example.org").exists()

    assert page.failed_requests == []
    assert page.console_errors == []
