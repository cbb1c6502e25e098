"""The anonymous page cache (edge/page_cache.py, made stale by home's receivers): hits for readers
without cookies, fresh pages after a publish, a menu or byline edit, and never a cached page for a
visitor with a session, a basket or a JSON Accept header."""

import pytest
from django.test import Client

from cms.models import NavigationSettings
from tests.factories.cms import AuthorFactory, blog_index_ensure, blog_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.CMS_PAGE_CACHE_SECONDS = 600


@pytest.fixture
def blog_index(db):
    return blog_index_ensure()


@pytest.fixture
def author(db):
    return AuthorFactory(slug="ada", name="Ada Lovelace")


@pytest.fixture
def post(blog_index, author):
    return blog_post(blog_index, title="Bees swarm the market", slug="bees-swarm", authors=[author])


def test_page_cache_second_anonymous_request_is_hit_with_same_page(client, post):
    first = client.get(post.url)
    second = client.get(post.url)
    assert "X-Page-Cache" not in first and second["X-Page-Cache"] == "hit"
    assert second.content == first.content and second["Content-Type"] == first["Content-Type"]
    # Middleware outside the cache still runs on a hit; shared caches see what the page depends on.
    assert second["X-Frame-Options"] == first["X-Frame-Options"]
    assert {"Cookie", "Accept"} <= {v.strip() for v in second["Vary"].split(",")}


def test_page_cache_publish_shows_new_post_on_index_and_feed(client, post, blog_index):
    assert client.get("/blog/").status_code == 200
    assert client.get("/blog/feed/").status_code == 200
    blog_post(blog_index, title="Fresh from the hive", slug="fresh")
    listing, feed = client.get("/blog/"), client.get("/blog/feed/")
    assert "X-Page-Cache" not in listing and "Fresh from the hive" in listing.content.decode()
    assert "Fresh from the hive" in feed.content.decode()


def test_page_cache_unpublish_removes_post(client, post):
    assert client.get(post.url).status_code == 200
    post.unpublish()
    assert client.get(post.url).status_code == 404


def test_page_cache_menu_edit_reaches_cached_pages(client, post, blog_index):
    client.get(post.url)
    navigation = NavigationSettings.for_site(blog_index.get_site())
    navigation.main_menu = [
        {"type": "link", "value": {"label": "Our bees", "url": "https://bees.example.org/"}}
    ]
    navigation.save()
    response = client.get(post.url)
    assert "X-Page-Cache" not in response and "Our bees" in response.content.decode()


def test_page_cache_byline_edit_reaches_cached_pages(client, post, author):
    client.get(post.url)
    author.name = "Ada King"
    author.save()
    response = client.get(post.url)
    assert "X-Page-Cache" not in response and "Ada King" in response.content.decode()


def test_page_cache_not_used_for_visitors_with_cookies_or_json(client, post, django_user_model):
    client.get(post.url)
    with_cookie = Client()
    with_cookie.cookies["oscar_open_basket"] = "1:abc"
    assert "X-Page-Cache" not in with_cookie.get(post.url)
    member = django_user_model.objects.create_user(email="m@example.org", password="pw-12345678")
    logged_in = Client()
    logged_in.force_login(member)
    assert "X-Page-Cache" not in logged_in.get(post.url)
    # ActivityPub clients always reach the negotiation middleware, never the cached HTML.
    assert "X-Page-Cache" not in client.get(post.url, HTTP_ACCEPT="application/activity+json")


def test_page_cache_privacy_setting_takes_page_from_anonymous_readers(client, post):
    from wagtail.models import PageViewRestriction

    assert client.get(post.url).status_code == 200
    PageViewRestriction.objects.create(page=post, restriction_type=PageViewRestriction.LOGIN)
    response = client.get(post.url)
    assert response.status_code == 302 and "X-Page-Cache" not in response


def test_page_cache_live_reactions_rendered_again_once_their_copy_expires(
    client, post, django_assert_num_queries
):
    from django.core.cache import cache

    from edge.page_cache import live_fragment_key

    first = client.get(post.url)
    with django_assert_num_queries(0):  # page and reactions both from the cache
        assert client.get(post.url)["X-Page-Cache"] == "hit"
    cache.delete(live_fragment_key("social/post_reactions.html", post.pk))  # as after 10 s
    with django_assert_num_queries(1):  # the reactions' own lookup, nothing of the page
        second = client.get(post.url)
    assert second["X-Page-Cache"] == "hit" and second.content == first.content
