"""Menus and header fragments: editable, cached, invalidated by their source, never shared across users."""

import re

import pytest
from django.test import Client
from oscar.apps.partner.strategy import Default
from oscar.test.factories import create_product, create_stockrecord
from wagtail.models import Site

from accounts.models import User
from cms.models import ContentPage, NavigationSettings
from home import navigation

pytestmark = pytest.mark.django_db


@pytest.fixture
def about(blog_index):
    page = ContentPage(title="About us", slug="about", body=[])
    blog_index.get_parent().add_child(instance=page)
    page.save_revision().publish()
    return page


@pytest.fixture
def menus(about, blog_index):
    link = {"label": "", "page": None, "section": "", "url": ""}
    settings_row = NavigationSettings.for_site(Site.objects.get(is_default_site=True))
    settings_row.main_menu = [
        {"type": "link", "value": {**link, "page": blog_index.pk, "label": "Our blog"}},
        {"type": "link", "value": {**link, "label": "Shop", "section": "/shop/"}},
        {
            "type": "group",
            "value": {
                "label": "More",
                "links": [
                    {**link, "page": about.pk},
                    {**link, "label": "Mastodon", "url": "https://social.example/"},
                ],
            },
        },
    ]
    settings_row.footer_menu = [
        {"type": "link", "value": {**link, "label": "Calendar", "section": "/events/"}}
    ]
    settings_row.save()
    return settings_row


def header(html: str) -> str:
    return re.search(r'<header class="site-header">.*?</header>', html, re.S).group(0)


def footer(html: str) -> str:
    return re.search(r'<footer class="site-footer">.*?</footer>', html, re.S).group(0)


def user(email: str, first_name: str) -> User:
    return User.objects.create_user(email=email, password="pw-123456789", first_name=first_name)


def basket_with(owner: User, quantity: int):
    from oscar.apps.basket.models import Basket

    basket = Basket.objects.create(owner=owner)
    basket.strategy = Default()
    product = create_product()
    create_stockrecord(product, price=5, num_in_stock=100)
    basket.add_product(product, quantity=quantity)
    return basket, product


def basket_count(html: str) -> int:
    return int(re.search(r"data-basket-count>(\d+)<", html).group(1))


def test_main_menu_renders_pages_sections_urls_and_one_level_group(client, menus):
    html = header(client.get("/").content.decode())
    assert '<a class="nav-link" href="/blog/">Our blog</a>' in html
    assert '<a class="nav-link" href="/shop/">Shop</a>' in html
    assert re.search(r"dropdown-toggle[^>]*>More</button>", html)
    assert '<a class="dropdown-item" href="/about/">About us</a>' in html
    assert '<a class="dropdown-item" href="https://social.example/">Mastodon</a>' in html
    assert '<a href="/events/">Calendar</a>' in footer(client.get("/").content.decode())


def test_menu_edit_invalidates_cached_menu(client, menus):
    assert "Our blog" in client.get("/").content.decode()
    menus.main_menu = [
        {
            "type": "link",
            "value": {"label": "Brand new", "page": None, "section": "", "url": "https://x.example/"},
        }
    ]
    menus.save()
    html = header(client.get("/").content.decode())
    assert "Brand new" in html and "Our blog" not in html


def test_menu_cached_between_requests_until_invalidated(client, menus):
    client.get("/")
    # A write that bypasses signals is not seen: the fragment really comes from the cache.
    NavigationSettings.objects.filter(pk=menus.pk).update(main_menu=[])
    assert "Our blog" in client.get("/").content.decode()
    navigation.menus_invalidate()
    assert "Our blog" not in header(client.get("/").content.decode())


def test_menu_link_to_unpublished_page_drops_out(client, menus, about):
    assert "About us" in client.get("/").content.decode()
    about.unpublish()
    assert "About us" not in header(client.get("/").content.decode())


def test_menu_link_block_needs_exactly_one_target():
    from wagtail.blocks import StructBlockValidationError

    from cms.blocks import MenuLinkBlock

    block = MenuLinkBlock()
    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python({"label": "Two", "section": "/shop/", "url": "https://x.example/"}))
    with pytest.raises(StructBlockValidationError):
        block.clean(block.to_python({"label": "", "section": "/shop/"}))
    assert block.clean(block.to_python({"label": "Shop", "section": "/shop/"}))["section"] == "/shop/"


def test_menus_render_on_shop_and_calendar_pages(client, menus):
    for path in ["/shop/catalogue/", "/events/"]:
        html = client.get(path, follow=True).content.decode()
        assert "Our blog" in header(html), path
        assert "Calendar" in footer(html), path


def test_basket_count_per_user_and_invalidated_on_change(blog_index):
    alice, bob = user("alice@example.org", "Alice"), user("bob@example.org", "Bob")
    basket, product = basket_with(alice, 2)
    alice_client, bob_client = Client(), Client()
    alice_client.force_login(alice)
    bob_client.force_login(bob)
    assert basket_count(alice_client.get("/").content.decode()) == 2
    assert basket_count(bob_client.get("/").content.decode()) == 0
    basket.add_product(product, quantity=3)
    assert basket_count(alice_client.get("/").content.decode()) == 5
    basket.flush()
    assert basket_count(alice_client.get("/").content.decode()) == 0


def test_basket_count_served_from_cache_until_line_changes(blog_index):
    alice = user("alice@example.org", "Alice")
    basket, _ = basket_with(alice, 2)
    client = Client()
    client.force_login(alice)
    assert basket_count(client.get("/").content.decode()) == 2
    basket.lines.update(quantity=7)  # no signal: the cached count stands
    assert basket_count(client.get("/").content.decode()) == 2
    line = basket.lines.get()
    line.quantity = 4
    line.save()
    assert basket_count(client.get("/").content.decode()) == 4


def test_account_menu_shows_only_own_name_and_own_csrf_token(blog_index):
    alice, bob = user("alice@example.org", "Alice"), user("bob@example.org", "Bob")
    clients = {}
    for person in (alice, bob):
        clients[person.first_name] = Client()
        clients[person.first_name].force_login(person)
    anonymous = Client()
    pages = {name: header(c.get("/").content.decode()) for name, c in clients.items()}
    assert "Alice" in pages["Alice"] and "Bob" not in pages["Alice"]
    assert "Bob" in pages["Bob"] and "Alice" not in pages["Bob"]
    anon = header(anonymous.get("/").content.decode())
    assert "Alice" not in anon and "Bob" not in anon and 'href="/account/login/"' in anon
    tokens = {
        name: re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        for name, html in pages.items()
    }
    assert navigation.CSRF_PLACEHOLDER not in "".join(pages.values())
    assert tokens["Alice"] != tokens["Bob"]
    assert 'action="/account/logout/"' in pages["Alice"] and 'method="post"' in pages["Alice"]


def test_account_menu_follows_name_change_and_logout(blog_index):
    alice = user("alice@example.org", "Alice")
    client = Client()
    client.force_login(alice)
    assert "Alice" in header(client.get("/").content.decode())
    alice.first_name = "Alicia"
    alice.save()
    assert "Alicia" in header(client.get("/").content.decode())
    client.logout()
    assert "Alicia" not in header(client.get("/").content.decode())


def test_account_fragment_cached_per_user(blog_index):
    alice = user("alice@example.org", "Alice")
    client = Client()
    client.force_login(alice)
    client.get("/")
    User.objects.filter(pk=alice.pk).update(first_name="Sneaky")  # no signal: cached fragment stands
    assert "Alice" in header(client.get("/").content.decode())
