"""What every page shares: a /favicon.ico that answers, and a <title> of the form "Title · Site"."""

import html
import re

import pytest
from django.conf import settings

from home.templatetags.site_chrome import title_tidy

ICO_MAGIC = b"\x00\x00\x01\x00"


@pytest.mark.django_db
def test_favicon_ico_answers_with_an_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    body = b"".join(response.streaming_content)
    assert body.startswith(ICO_MAGIC) and len(body) > 500


@pytest.mark.django_db
def test_base_template_links_the_icons(client):
    page = client.get("/account/login/").content.decode()
    assert 'rel="icon" href="/favicon.ico"' in page and "favicon.svg" in page


@pytest.mark.parametrize(
    ("raw", "tidy"),
    [
        ("Basket | · Rose Ash", "Basket · Rose Ash"),  # Oscar's "x | {{ block.super }}" on an empty base
        (" · Rose Ash", "Rose Ash"),
        ("Rose Ash", "Rose Ash"),
        ("Honey |  | Rose Ash · Rose Ash", "Honey · Rose Ash"),
        ("Rose Ash · Shop", "Shop · Rose Ash"),
        ("Wildflower honey — 340 g jar · Rose Ash", "Wildflower honey — 340 g jar · Rose Ash"),
    ],
)
def test_title_tidy_one_separator_site_last(raw, tidy):
    assert title_tidy(raw, "Rose Ash") == tidy


def _title(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code in (200, 404), (url, response.status_code)
    match = re.search(r"<title>(.*?)</title>", response.content.decode(), re.S)
    assert match, url
    return html.unescape(match.group(1))


def _assert_tidy(title: str, url: str) -> None:
    site = settings.SITE_NAME
    parts = title.split(" · ")
    assert parts[-1] == site, (url, title)
    assert all(part and part == part.strip() for part in parts), (url, title)
    assert "|" not in title and "·" not in "".join(parts), (url, title)
    assert len(parts) == len(set(parts)), (url, title)


@pytest.mark.django_db
def test_every_page_type_has_a_tidy_title(client, seeded, django_user_model):
    from django.apps import apps
    from oscar.core.loading import get_model

    post = apps.get_model("cms", "BlogPostPage").objects.live().first()
    producer = apps.get_model("commerce", "ProducerPage").objects.live().first()
    market = apps.get_model("commerce", "MarketPage").objects.live().first()
    event_page = apps.get_model("events", "EventPage").objects.live().first()
    product = get_model("catalogue", "Product").objects.browsable().first()
    occurrence = re.search(r'href="(/events/o/\d+/\d+/)"', client.get("/events/").content.decode())

    urls = [
        "/",
        "/blog/",
        post.url,
        market.url,
        producer.url,
        product.get_absolute_url(),
        "/shop/catalogue/",
        "/shop/basket/",
        "/events/",
        event_page.url,
        "/account/login/",
        "/account/signup/",
        "/no-such-page/",
    ]
    if occurrence:
        urls.append(occurrence.group(1))
    for url in urls:
        _assert_tidy(_title(client, url), url)

    client.force_login(django_user_model.objects.get(email="shopper@example.org"))
    for url in ("/account/", "/events/tickets/", "/shop/accounts/orders/"):
        _assert_tidy(_title(client, url), url)
