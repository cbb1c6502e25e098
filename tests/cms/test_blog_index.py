"""The blog index: pagination, category/tag/author filters, author pages."""

import pytest

from cms.models import BlogIndexPage
from tests.factories.cms import AuthorFactory, BlogCategoryFactory, blog_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def six_posts(blog_index, monkeypatch):
    monkeypatch.setattr(BlogIndexPage, "posts_per_page", 4)
    recipes = BlogCategoryFactory(slug="recipes", name="Recipes")
    news = BlogCategoryFactory(slug="news", name="News")
    edith = AuthorFactory(slug="edith", name="Edith", bio="Bakes bread.")
    ada = AuthorFactory(slug="ada", name="Ada")
    posts = []
    for n in range(6):
        posts.append(
            blog_post(
                blog_index,
                title=f"Story {n:02d}",
                category=recipes if n % 3 == 0 else news,
                authors=[edith] if n % 2 else [ada],
                tags=["bread"] if n < 3 else ["honey"],
            )
        )
    return posts


def titles(response) -> list[str]:
    return [post.title for post in response.context["posts"]]


def test_blog_index_first_page_newest_first(client, six_posts):
    response = client.get("/blog/")
    assert response.status_code == 200
    assert titles(response) == ["Story 05", "Story 04", "Story 03", "Story 02"]
    assert 'rel="next"' in response.content.decode()


def test_blog_index_second_page_holds_the_rest(client, six_posts):
    assert titles(client.get("/blog/?page=2")) == ["Story 01", "Story 00"]


@pytest.mark.parametrize("query", ["?page=3", "?page=0", "?page=x", "?category=nope", "?tag=nope"])
def test_blog_index_bad_page_or_filter_is_404(client, six_posts, query):
    assert client.get(f"/blog/{query}").status_code == 404


def test_blog_index_category_route_filters(client, six_posts):
    response = client.get("/blog/category/recipes/")
    assert titles(response) == ["Story 03", "Story 00"]
    assert "<h1>Recipes</h1>" in response.content.decode()


def test_blog_index_tag_route_filters(client, six_posts):
    assert titles(client.get("/blog/tag/bread/")) == ["Story 02", "Story 01", "Story 00"]


def test_blog_index_query_filters_combine(client, six_posts):
    response = client.get("/blog/?category=recipes&tag=bread&author=ada")
    assert titles(response) == ["Story 00"]


def test_author_page_shows_bio_and_only_their_posts(client, six_posts):
    response = client.get("/blog/author/edith/")
    html = response.content.decode()
    assert "Bakes bread." in html and "@edith@" in html
    assert titles(response) == ["Story 05", "Story 03", "Story 01"]


def test_unknown_author_page_is_404(client, six_posts):
    assert client.get("/blog/author/nobody/").status_code == 404


def test_blog_index_hides_drafts(client, blog_index):
    blog_post(blog_index, title="Published one")
    blog_post(blog_index, title="Secret draft", publish=False)
    html = client.get("/blog/").content.decode()
    assert "Published one" in html and "Secret draft" not in html
