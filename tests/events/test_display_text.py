"""A ticket reads "Pottery evening — Wed 9 Dec 2026, 19:00 (Wheel place)" in the site's time zone, and
a price reads "£6.00", wherever they are shown: occurrence and event pages, basket, order, emails, the
member's tickets and dashboard."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone
from oscar.apps.basket.models import Basket
from oscar.apps.partner.strategy import Selector
from oscar.test.factories import create_order

from events import bookings, cancellation
from events.display import ticket_line
from events.models import Booking
from tests.factories import events as f

pytestmark = pytest.mark.django_db

RAW_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
OVERLONG_MONEY = re.compile(r"£\d+\.\d{3,}")


def expected_line(title: str, start: datetime, place: str) -> str:
    """Built with strftime, independently of the code under test."""
    local = start.astimezone(ZoneInfo(settings.TIME_ZONE))
    return f"{title} — {local:%a} {local.day} {local:%b %Y, %H:%M} ({place})"


@pytest.fixture
def pottery(otto_calendar):
    return f.event(
        otto_calendar,
        "Pottery evening",
        start=f.local(6, 19),
        end=f.local(6, 21),
        location="Wheel place",
    )


def test_ticket_line_site_time_zone_whatever_the_current_zone(otto_calendar):
    summer = f.event(
        otto_calendar,
        "Pottery evening",
        start=datetime(2026, 7, 1, 19, 0),
        end=datetime(2026, 7, 1, 21, 0),
        location="Wheel place",
    )
    start = datetime(2026, 7, 1, 18, 0, tzinfo=ZoneInfo("UTC"))  # 19:00 in London (BST)
    with timezone.override(ZoneInfo("America/New_York")):
        assert ticket_line(summer, start) == "Pottery evening — Wed 1 Jul 2026, 19:00 (Wheel place)"
    winter = datetime(2026, 12, 9, 19, 0, tzinfo=ZoneInfo("UTC"))
    assert ticket_line(summer, winter) == "Pottery evening — Wed 9 Dec 2026, 19:00 (Wheel place)"


def _basket_of(user):
    basket = Basket.objects.get(owner=user, status=Basket.OPEN)
    basket.strategy = Selector().strategy(user=user)
    return basket


def test_ticket_prices_are_money_on_event_and_occurrence_pages(client, pottery):
    f.ticket_type(pottery, quota=5, price="6.00", name="Wheel")
    occurrence = client.get(f"/events/o/{pottery.pk}/{int(pottery.start.timestamp())}/").content.decode()
    prices = re.findall(r'<td class="price" data-label="Price">([^<]*)</td>', occurrence)
    assert prices and all(re.fullmatch(r"£\d+\.\d\d", price) for price in prices), prices
    assert not OVERLONG_MONEY.search(occurrence)


def test_basket_and_order_name_the_ticket_by_event_date_and_place(client, pottery, sam):
    ticket_type = f.ticket_type(pottery, quota=5, price="6.00", name="Wheel")
    start = pottery.start
    line_text = expected_line("Pottery evening", start, "Wheel place")
    client.force_login(sam)
    client.post(
        f"/events/o/{pottery.pk}/{int(start.timestamp())}/basket/",
        {"ticket_type": ticket_type.pk, "quantity": 1},
    )
    basket_page = client.get("/shop/basket/").content.decode()
    assert line_text in basket_page
    assert not RAW_TIMESTAMP.search(basket_page) and not OVERLONG_MONEY.search(basket_page)

    order = create_order(basket=_basket_of(sam), user=sam)
    order_page = client.get(f"/shop/accounts/orders/{order.number}/").content.decode()
    assert line_text in order_page and not RAW_TIMESTAMP.search(order_page)

    dashboard = client.get("/account/").content.decode()
    assert line_text in dashboard
    assert re.search(r"£\d+\.\d\d<", dashboard) and not re.search(r"\d GBP", dashboard)

    tickets = client.get("/events/tickets/").content.decode()
    assert line_text in tickets and not RAW_TIMESTAMP.search(tickets)


def test_order_email_names_the_ticket(client, pottery, sam):
    from django.template.loader import render_to_string

    ticket_type = f.ticket_type(pottery, quota=5, price="6.00", name="Wheel")
    client.force_login(sam)
    client.post(
        f"/events/o/{pottery.pk}/{int(pottery.start.timestamp())}/basket/", {"ticket_type": ticket_type.pk}
    )
    order = create_order(basket=_basket_of(sam), user=sam)
    line_text = expected_line("Pottery evening", pottery.start, "Wheel place")
    for suffix in ("txt", "html"):
        body = render_to_string(
            f"oscar/communication/emails/commtype_order_placed_body.{suffix}",
            {"order": order, "lines": order.lines.all()},
        )
        assert line_text in body and not RAW_TIMESTAMP.search(body), suffix


def test_ticket_email_names_the_ticket_in_site_time(pottery, sam, django_capture_on_commit_callbacks):
    ticket_type = f.ticket_type(pottery, quota=5, name="Free place")
    with timezone.override(ZoneInfo("UTC")), django_capture_on_commit_callbacks(execute=True):
        bookings.booking_create_free(ticket_type=ticket_type, original_start=pottery.start, user=sam)
    assert Booking.objects.filter(user=sam).exists()
    body = mail.outbox[-1].body
    assert expected_line("Pottery evening", pottery.start, "Wheel place") in body


def test_cancellation_email_names_the_ticket(pottery, sam, django_capture_on_commit_callbacks):
    ticket_type = f.ticket_type(pottery, quota=5, name="Free place")
    with django_capture_on_commit_callbacks(execute=True):
        bookings.booking_create_free(ticket_type=ticket_type, original_start=pottery.start, user=sam)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        cancellation.occurrence_cancel(event=pottery, original_start=pottery.start)
    assert mail.outbox
    text = "\n".join(message.subject + "\n" + message.body for message in mail.outbox)
    assert expected_line("Pottery evening", pottery.start, "Wheel place") in text
    assert not RAW_TIMESTAMP.search(text)
