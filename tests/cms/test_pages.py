"""Page types: where they may live, what they store and how posts render."""

import re

import pytest
from django.core.exceptions import ValidationError
from wagtail.models import Page, PageViewRestriction

from cms.models import BlogIndexPage, BlogPostPage, ContentPage
from cms.models.pages import reading_minutes
from home.models import HomePage
from tests.factories.cms import blog_post

pytestmark = pytest.mark.django_db


def test_page_types_parent_rules_allow_only_the_blog_tree(blog_index):
    home = HomePage.objects.get()
    assert BlogIndexPage.can_create_at(home) is False  # max_count: one blog
    assert BlogPostPage.can_create_at(blog_index)
    assert not BlogPostPage.can_create_at(home)
    assert ContentPage.can_create_at(home)
    assert not ContentPage.can_create_at(blog_index)
    assert not HomePage.can_create_at(blog_index)
    assert BlogPostPage.allowed_subpage_models() == []


def test_blog_post_reserved_slug_fails_validation(blog_index):
    post = BlogPostPage(title="Feed", slug="feed", summary="x", body=[])
    with pytest.raises(ValidationError) as error:
        post.clean()
    assert "slug" in error.value.message_dict


def test_reading_minutes_long_body_rounds_up(post):
    words = " ".join(["word"] * 500)
    post.body = [{"type": "paragraph", "value": f"<p>{words}</p>"}]
    assert reading_minutes(post.body) == 3  # 500 words at 220 a minute
    post.save()
    assert BlogPostPage.objects.get(pk=post.pk).reading_minutes == 3


def test_post_page_renders_body_blocks_and_seo_tags(client, post, settings):
    html = client.get("/blog/bees-swarm/").content.decode()
    assert "<h1>Bees swarm the market</h1>" in html
    assert '<blockquote class="blockquote body-quote">' in html
    assert 'class="language-python"' in html
    assert f'<link rel="canonical" href="{settings.SITE_URL}/blog/bees-swarm/">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    og_image = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert og_image.startswith(settings.SITE_URL + "/media/images/") and "fill-1200x630" in og_image
    assert f'<meta name="fediverse:creator" content="@ada@{settings.SITE_HOST}">' in html
    assert "1 min read" in html
    assert 'href="/blog/author/bob/"' in html and 'href="/blog/tag/bees/"' in html


def test_post_page_hero_has_responsive_srcset(client, post):
    html = client.get("/blog/bees-swarm/").content.decode()
    hero = re.search(r'<figure class="hero">\s*(<img[^>]+>)', html).group(1)
    assert 'alt="A swarm of bees on a stall"' in hero
    widths = re.findall(r"\.width-(\d+)\.jpg (\d+)w", hero)
    assert widths == [("400", "400"), ("800", "800"), ("1200", "1200")]


def test_post_custom_canonical_url_wins(client, post):
    post.canonical_url = "https://elsewhere.example/original"
    post.save_revision().publish()
    html = client.get("/blog/bees-swarm/").content.decode()
    assert '<link rel="canonical" href="https://elsewhere.example/original">' in html


def test_federation_payload_plain_data_matches_contract(post, settings):
    payload = post.federation_payload()
    assert payload["page_id"] == post.pk
    assert payload["title"] == "Bees swarm the market"
    assert payload["summary"] == "A swarm settled on the honey stall."
    assert payload["url"] == f"{settings.SITE_URL}/blog/bees-swarm/"
    assert f'href="{settings.SITE_URL}/shop/"' in payload["body_html"]
    assert f'src="{settings.SITE_URL}/media/images/' in payload["body_html"]
    assert payload["published"] == post.first_published_at.isoformat()
    assert payload["updated"] == post.last_published_at.isoformat()
    assert payload["category"] == {"slug": "alerts", "name": "Alerts", "urgent": True}
    assert payload["is_private"] is False
    assert payload["tags"] == ["bees", "market"]
    assert payload["authors"] == [{"slug": "ada", "name": "Ada Lovelace"}, {"slug": "bob", "name": "Bob"}]
    hero = payload["hero_image"]
    assert hero["url"].startswith(settings.SITE_URL + "/media/images/")
    assert (hero["width"], hero["height"], hero["media_type"]) == (1200, 630, "image/jpeg")
    assert hero["alt"] == "A swarm of bees on a stall"


def test_federation_payload_view_restriction_is_private(post):
    PageViewRestriction.objects.create(page=post, restriction_type=PageViewRestriction.PASSWORD, password="x")
    assert post.federation_payload()["is_private"] is True


def test_federation_payload_no_hero_image_gives_none(blog_index):
    payload = blog_post(blog_index).federation_payload()
    assert payload["hero_image"] is None and payload["category"]["urgent"] is False


def test_blog_post_without_category_is_refused(blog_index):
    with pytest.raises(ValidationError):
        blog_post(blog_index, category=None)


def test_content_page_renders_under_home(client, blog_index):
    home = blog_index.get_parent()
    page = ContentPage(
        title="About us",
        slug="about",
        summary="Who we are.",
        body=[{"type": "paragraph", "value": "<p>Hi</p>"}],
    )
    home.add_child(instance=page)
    page.save_revision().publish()
    html = client.get("/about/").content.decode()
    assert "<h1>About us</h1>" in html and "Who we are." in html


def test_home_page_lists_latest_posts(client, blog_index):
    posts = [blog_post(blog_index, title=f"Home post {n}") for n in range(4)]
    html = client.get("/").content.decode()
    assert "Latest from the blog" in html
    shown = [p.title for p in posts if p.title in html]
    assert len(shown) == 3
    assert Page.objects.get(pk=blog_index.pk).url in html
