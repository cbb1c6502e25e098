"""RSS 2.0 and Atom feeds parse with feedparser and carry the right posts."""

import feedparser
import pytest

from tests.factories.cms import AuthorFactory, BlogCategoryFactory, blog_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def posts(blog_index):
    news = BlogCategoryFactory(slug="news", name="News")
    alerts = BlogCategoryFactory(slug="alerts", name="Alerts", urgent=True)
    ada = AuthorFactory(slug="ada", name="Ada")
    bob = AuthorFactory(slug="bob", name="Bob")
    return [
        blog_post(blog_index, title="First news", category=news, authors=[ada], tags=["honey"]),
        blog_post(blog_index, title="Road closed", category=alerts, authors=[bob]),
        blog_post(blog_index, title="Second news", category=news, authors=[bob, ada]),
    ]


def parse(client, path):
    response = client.get(path)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return response, feed


def test_blog_rss_feed_is_valid_rss2_newest_first(client, posts, settings):
    response, feed = parse(client, "/blog/feed/")
    assert response["Content-Type"].startswith("application/rss+xml")
    assert feed.version == "rss20"
    assert [entry.title for entry in feed.entries] == ["Second news", "Road closed", "First news"]
    first = feed.entries[0]
    assert first.link == f"{settings.SITE_URL}/blog/{posts[2].slug}/"
    assert first.summary == posts[2].summary
    assert {tag.term for tag in feed.entries[2].tags} == {"News", "honey"}


def test_blog_atom_feed_is_valid_atom(client, posts):
    response, feed = parse(client, "/blog/feed/atom/")
    assert response["Content-Type"].startswith("application/atom+xml")
    assert feed.version == "atom10"
    assert len(feed.entries) == 3
    assert feed.entries[0].author == "Bob, Ada"
    assert feed.entries[0].updated_parsed is not None


@pytest.mark.parametrize("kind", ["", "atom/"])
def test_category_feed_only_that_category(client, posts, kind):
    _, feed = parse(client, f"/blog/category/alerts/feed/{kind}")
    assert [entry.title for entry in feed.entries] == ["Road closed"]
    assert "Alerts" in feed.feed.title


@pytest.mark.parametrize("kind", ["", "atom/"])
def test_author_feed_only_their_posts(client, posts, kind):
    _, feed = parse(client, f"/blog/author/ada/feed/{kind}")
    assert [entry.title for entry in feed.entries] == ["Second news", "First news"]


def test_feed_for_unknown_category_is_404(client, posts):
    assert client.get("/blog/category/nope/feed/").status_code == 404


def test_feed_leaves_out_drafts(client, blog_index, posts):
    blog_post(blog_index, title="Not yet", publish=False)
    _, feed = parse(client, "/blog/feed/")
    assert "Not yet" not in [entry.title for entry in feed.entries]
