"""Factories for social tests: federated blog posts (cms.BlogPostPage) under a fresh blog index."""

import itertools
import uuid

from django.apps import apps
from wagtail.models import Page

_counter = itertools.count(1)

# What the publish receiver hands a flow for an urgent post (page 99), for tests that start one by hand.
URGENT_POST_PAYLOAD = {
    "page_id": 99,
    "title": "Storm",
    "summary": "Batten down.",
    "url": "http://testserver/blog/storm/",
    "category": {"slug": "alerts", "name": "Alerts", "urgent": True},
    "is_private": False,
}


def blog_index():
    BlogIndexPage = apps.get_model("cms", "BlogIndexPage")
    existing = BlogIndexPage.objects.first()
    if existing is not None:
        return existing
    root = Page.get_first_root_node()
    return root.add_child(instance=BlogIndexPage(title="Blog", slug=f"blog-{next(_counter)}"))


def category(*, urgent: bool = False, name: str | None = None):
    BlogCategory = apps.get_model("cms", "BlogCategory")
    name = name or ("Alerts" if urgent else "News")
    return BlogCategory.objects.get_or_create(
        slug=name.lower().replace(" ", "-"), defaults={"name": name, "urgent": urgent}
    )[0]


def blog_post(
    *,
    title: str = "Harvest report",
    summary: str = "The harvest is in.",
    urgent: bool = False,
    live: bool = False,
):
    """A draft post (not live, so nothing federates until the test publishes it)."""
    from wagtail.rich_text import RichText

    BlogPostPage = apps.get_model("cms", "BlogPostPage")
    n = next(_counter)
    post = BlogPostPage(
        title=title,
        slug=f"post-{n}-{uuid.uuid4().hex[:8]}",
        summary=summary,
        category=category(urgent=urgent),
        body=[("paragraph", RichText("<p>Hello fediverse.</p>"))],
        live=live,
    )
    blog_index().add_child(instance=post)
    return post


def publish(page):
    """Publish the page's current state, as the editor's Publish button does."""
    page.save_revision().publish()
    page.refresh_from_db()
    return page
