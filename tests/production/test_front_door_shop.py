"""Oscar's catalogue and the calendar's pages through the front door: shared with anonymous readers,
refreshed when a product, its stock or an event changes, never shared with anyone holding a cookie,
and add-to-basket still works from the shared page (in a browser, its token fetched by script)."""

import re

import pytest
from django.urls import reverse

from tests.factories import events as event_factories
from tests.factories.commerce import stocked_product

from .stack import cached_twice, front_door_missing, wait_until

pytestmark = [
    pytest.mark.front_door,
    pytest.mark.xdist_group("front-door"),  # the package's one stack (conftest.py)
    pytest.mark.skipif(bool(front_door_missing()), reason=front_door_missing() or ""),
]


def available(text: str) -> str:
    return re.search(r"In stock \((\d+) available\)", text).group(1)


def test_front_door_product_page_is_shared_and_refreshed_on_a_stock_change(site):
    honey = stocked_product(title="Door clover honey", num_in_stock=7)
    url = f"{site.url}{honey.get_absolute_url()}"
    reader = site.session()
    second = cached_twice(reader, url)
    assert second.headers["X-Cache-Status"] == "HIT", (second.status_code, second.headers)
    assert available(second.text) == "7"
    # Nobody's token or cookie in what everyone gets; the form posts to the basket all the same.
    assert "csrfmiddlewaretoken" not in second.text and "Set-Cookie" not in second.headers
    assert f'action="{reverse("basket:add", args=[honey.pk])}"' in second.text
    assert set(re.split(r",\s*", second.headers["Vary"])) >= {"Cookie", "Accept"}
    listing = cached_twice(reader, f"{site.url}/shop/catalogue/")
    assert listing.headers["X-Cache-Status"] == "HIT" and "Door clover honey" in listing.text

    stock = honey.stockrecords.get()
    stock.num_in_stock = 3
    stock.save()
    # Refreshed at the door by the stack's worker after the commit (bench/front_door.py times it).
    wait_until(lambda: available(reader.get(url).text) == "3", 30.0, "the stock change at the door", site)
    assert reader.get(url).headers["X-Cache-Status"] == "HIT"

    honey.title = "Door heather honey"
    honey.save()
    wait_until(
        lambda: "Door heather honey" in reader.get(f"{site.url}/shop/catalogue/").text,
        30.0,
        "the renamed product in the catalogue at the door",
        site,
    )


def test_front_door_event_date_page_is_shared_and_refreshed_on_an_event_change(site):
    calendar = event_factories.organiser_calendar("Door calendar")
    meetup = event_factories.weekly_meetup(calendar)
    event_factories.ticket_type(meetup, quota=4)
    timestamp = int(meetup.start.timestamp())
    url = f"{site.url}{reverse('events:occurrence', args=[meetup.pk, timestamp])}"
    reader = site.session()
    second = cached_twice(reader, url)
    assert second.headers["X-Cache-Status"] == "HIT", (second.status_code, second.headers)
    assert "Meetup" in second.text and "csrfmiddlewaretoken" not in second.text
    # The month the first date is in, named in the query: every variant the door keeps is refreshed.
    month = f"{site.url}/events/?month={meetup.start:%Y-%m}"
    calendar_page = cached_twice(reader, month)
    assert calendar_page.headers["X-Cache-Status"] == "HIT" and "Meetup" in calendar_page.text

    meetup.title = "Meetup moved upstairs"
    meetup.save()  # as the organiser's form or django-scheduler's edit view saves it
    wait_until(lambda: "Meetup moved upstairs" in reader.get(url).text, 30.0, "the edit at the door", site)
    wait_until(
        lambda: "Meetup moved upstairs" in reader.get(month).text,
        30.0,
        "the event's edit on the calendar at the door",
        site,
    )


def test_front_door_shared_pages_are_never_served_to_or_stored_from_a_cookie_holder(site):
    honey = stocked_product(title="Door lime honey")
    url = f"{site.url}{honey.get_absolute_url()}"
    assert cached_twice(site.session(), url).headers["X-Cache-Status"] == "HIT"
    member = site.session()
    member.get(f"{site.url}/csrf-token/")  # any cookie: here the CSRF token's
    assert "csrftoken" in member.cookies
    for _ in range(2):
        page = member.get(url)
        assert page.headers.get("X-Cache-Status") != "HIT"
        assert 'name="csrfmiddlewaretoken"' in page.text  # this reader's own token, never stored
    assert "private" in member.get(f"{site.url}/csrf-token/").headers["Cache-Control"]


def test_front_door_add_to_basket_from_the_shared_product_page_in_a_browser(site, browser):
    honey = stocked_product(title="Door acacia honey")
    url = f"{site.url}{honey.get_absolute_url()}"
    assert cached_twice(site.session(), url).headers["X-Cache-Status"] == "HIT"
    # Caddy's local CA is the stack's own: the browser is told to accept it, the page is the door's.
    context = browser.new_context(ignore_https_errors=True)
    try:
        tab = context.new_page()
        served = tab.goto(url)
        assert served.headers.get("x-cache-status") == "HIT"
        errors = []
        tab.on("console", lambda message: message.type == "error" and errors.append(message.text))
        add = reverse("basket:add", args=[honey.pk])
        # The form is sent once site.js has fetched the token: wait for that navigation, not the click.
        with tab.expect_navigation():
            tab.locator(f"form[action='{add}'] button[type=submit]").first.click()
        basket = tab.goto(f"{site.url}/shop/basket/")
        assert basket.status == 200
        assert "Door acacia honey" in tab.content(), tab.content()[:2000]
        assert not errors, errors  # a CSP refusal of the token fetch would show here
    finally:
        context.close()
