"""Search, sitemap.xml and robots.txt."""

import xml.etree.ElementTree as ET

import pytest

from tests.factories.cms import blog_post

pytestmark = pytest.mark.django_db


def test_search_finds_posts_by_body_and_summary(client, blog_index):
    blog_post(
        blog_index,
        title="Quince jelly",
        summary="Golden preserves.",
        body=[{"type": "paragraph", "value": "<p>Slow simmered marmalade.</p>"}],
    )
    blog_post(blog_index, title="Parsnip soup")
    for query in ["quince", "preserves", "marmalade"]:
        html = client.get("/search/", {"q": query}).content.decode()
        assert "Quince jelly" in html, query
        assert "Parsnip soup" not in html, query


def test_search_ignores_drafts(client, blog_index):
    blog_post(blog_index, title="Hidden quince", publish=False)
    assert "Hidden quince" not in client.get("/search/", {"q": "quince"}).content.decode()


def test_search_without_query_shows_form(client, db):
    response = client.get("/search/")
    assert response.status_code == 200 and 'name="q"' in response.content.decode()


def test_sitemap_lists_live_pages(client, blog_index, settings):
    post = blog_post(blog_index, title="On the map")
    blog_post(blog_index, title="Off the map", publish=False)
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    namespace = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locations = [loc.text for loc in ET.fromstring(response.content).findall("sm:url/sm:loc", namespace)]
    assert any(loc.endswith(f"/blog/{post.slug}/") for loc in locations)
    assert any(loc.endswith("/blog/") for loc in locations)
    assert not any("off-the-map" in loc for loc in locations)


def test_robots_txt_points_at_sitemap_and_hides_admin(client, db):
    response = client.get("/robots.txt")
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Disallow: /admin/" in body
    assert "Sitemap: http://testserver/sitemap.xml" in body
