"""A blog post as plain data for whoever federates it (read through settings, never imported)."""

import mimetypes
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.utils.html import strip_tags


def absolute(url: str) -> str:
    return urljoin(settings.SITE_URL + "/", url)


def absolutize_html(html: str) -> str:
    """Rewrite root-relative src/href attributes so the HTML works on other servers."""
    base = settings.SITE_URL
    return html.replace(' src="/', f' src="{base}/').replace(' href="/', f' href="{base}/')


def page_absolute_url(page) -> str:
    """SITE_URL plus the page's path: stable even if a Site row's hostname drifts."""
    return settings.SITE_URL + urlsplit(page.get_url() or "/").path


def blog_post_payload(post) -> dict:
    published = post.first_published_at
    updated = post.last_published_at or post.latest_revision_created_at or published
    category = post.category
    hero = None
    if post.hero_image_id:
        rendition = post.hero_image.get_rendition("fill-1200x630")
        hero = {
            "url": absolute(rendition.url),
            "alt": post.hero_image_alt,
            "media_type": mimetypes.guess_type(rendition.file.name)[0] or "image/jpeg",
            "width": rendition.width,
            "height": rendition.height,
        }
    return {
        "page_id": post.pk,
        "title": post.title,
        "summary": strip_tags(post.summary).strip(),
        "body_html": absolutize_html(str(post.body)),
        "url": page_absolute_url(post),
        "published": published.isoformat() if published else None,
        "updated": updated.isoformat() if updated else None,
        "category": (
            {"slug": category.slug, "name": category.name, "urgent": category.urgent} if category else None
        ),
        "is_private": post.get_view_restrictions().exists(),
        "tags": sorted(tag.name for tag in post.tag_list),
        "authors": [{"slug": author.slug, "name": author.name} for author in post.authors],
        "hero_image": hero,
    }
