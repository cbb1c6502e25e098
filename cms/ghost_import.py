"""Writing a Ghost export into the page tree: one transaction per post, idempotent by content hash."""

import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from cms.ghost import GhostImages, GhostPost, PostSkipped
from cms.ghost_blocks import html_to_blocks, plain_summary
from cms.ghost_formats import post_body_html
from cms.images import image_from_bytes
from cms.models import (
    Author,
    BlogCategory,
    BlogIndexPage,
    BlogPostAuthor,
    BlogPostPage,
    ContentPage,
    GhostImportRecord,
)
from cms.models.pages import RESERVED_POST_SLUGS
from cms.services import page_backdate, tags_ensure

logger = logging.getLogger(__name__)


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)


def ghost_post_hash(post: GhostPost) -> str:
    return hashlib.sha256(json.dumps(post.raw, sort_keys=True, default=str).encode()).hexdigest()


def ghost_posts_import(
    posts: list[GhostPost],
    *,
    blog_index: BlogIndexPage,
    images: GhostImages,
    default_category: BlogCategory,
    progress: Callable[[int, int], None] = lambda done, total: None,
) -> ImportReport:
    report = ImportReport()
    for done, post in enumerate(posts, start=1):
        label = f"{post.type} “{post.slug}”"
        try:
            # Images are downloaded first: no HTTP while the post's transaction holds its rows.
            fetched = _images_fetch(post, images)
            with transaction.atomic():
                outcome, notes = ghost_post_import(post, blog_index, fetched, default_category)
        except PostSkipped as reason:
            report.skipped.append((label, str(reason)))
        except ValidationError as error:
            report.skipped.append((label, "; ".join(error.messages)))
        except Exception as error:  # the post's transaction is rolled back; one post never stops the rest
            logger.exception("Ghost import of %s failed", label)
            report.skipped.append((label, f"unexpected error ({error.__class__.__name__})"))
        else:
            getattr(report, outcome).append(label)
            report.notes.extend((label, note) for note in notes)
        progress(done, len(posts))
    return report


class FetchedImages:
    """A post's images, read (downloaded if need be) before its transaction: ``read`` as GhostImages."""

    def __init__(self, images: GhostImages, sources: list[str]):
        self.read_results: dict[str, tuple[bytes, str] | PostSkipped] = {}
        for src in dict.fromkeys(sources):
            try:
                self.read_results[src] = images.read(src)
            except PostSkipped as reason:
                self.read_results[src] = reason

    def read(self, src: str) -> tuple[bytes, str]:
        result = self.read_results.get(src)
        if result is None:
            raise PostSkipped(f"image {src} was not read before the import")
        if isinstance(result, PostSkipped):
            raise result
        return result


def _images_fetch(post: GhostPost, images: GhostImages) -> FetchedImages:
    """Every image the post's import will ask for: body images, feature image, new authors' avatars."""
    if post.type not in ("post", "page") or post.status not in ("published", "draft", "scheduled"):
        return FetchedImages(images, [])  # skipped before any image is read
    if GhostImportRecord.objects.filter(ghost_id=post.ghost_id, content_hash=ghost_post_hash(post)).exists():
        return FetchedImages(images, [])  # unchanged: the import reads no image
    sources: list[str] = []

    def collect(src: str, title: str = ""):
        sources.append(src)
        return None

    html_to_blocks(post_body_html(post), collect)
    if post.feature_image:
        sources.append(post.feature_image)
    with_avatar = set(Author.objects.filter(avatar__isnull=False).values_list("slug", flat=True))
    for row in post.authors:
        slug = slugify(row.get("slug") or row.get("name") or "author")[:60] or "author"
        if (row.get("profile_image") or "").strip() and slug not in with_avatar:
            sources.append(row["profile_image"].strip())
    return FetchedImages(images, sources)


def ghost_post_import(
    post: GhostPost,
    blog_index: BlogIndexPage,
    images: GhostImages | FetchedImages,
    default_category: BlogCategory,
) -> tuple[str, list[str]]:
    """Create or update one page; returns ("created"|"updated"|"unchanged", notes)."""
    if post.type not in ("post", "page"):
        raise PostSkipped(f"type {post.type!r} is neither a post nor a page")
    if post.status not in ("published", "draft", "scheduled"):
        raise PostSkipped(f"status {post.status!r} is not published, draft or scheduled")
    content_hash = ghost_post_hash(post)
    record = GhostImportRecord.objects.filter(ghost_id=post.ghost_id).select_related("page").first()
    if record and record.content_hash == content_hash:
        return "unchanged", []

    parent = blog_index if post.type == "post" else blog_index.get_parent()
    model = BlogPostPage if post.type == "post" else ContentPage
    slug = slugify(post.slug)[:255]
    if post.type == "post" and slug in RESERVED_POST_SLUGS:
        raise PostSkipped(f"slug {slug!r} is reserved by the blog")
    if record is None and parent.get_children().filter(slug=slug).exists():
        raise PostSkipped(f"slug {slug!r} is already used by a page that was not imported from Ghost")

    cached_images: dict[str, object] = {}

    def image_for(src: str, title: str = post.title):
        if src not in cached_images:
            try:
                data, filename = images.read(src)
                cached_images[src] = image_from_bytes(data, filename, title)
            except PostSkipped:
                cached_images[src] = None
            except Exception:  # Pillow rejects the bytes: not an image
                cached_images[src] = None
        return cached_images[src]

    html = post_body_html(post)
    blocks, notes = html_to_blocks(html, image_for)
    hero = None
    if post.feature_image:
        hero = image_for(post.feature_image)
        if hero is None:
            raise PostSkipped(f"feature image {post.feature_image} could not be loaded")

    page = record.page.specific if record else model(slug=slug)
    if record and not isinstance(page, model):
        raise PostSkipped(f"page {page.pk} is no longer a {model.__name__}")
    page.title = post.title
    page.draft_title = post.title
    page.seo_title = post.meta_title[:255]
    page.search_description = post.meta_description
    page.summary = plain_summary(post, html)
    page.body = blocks
    if post.type == "post":
        page.hero_image = hero
        page.hero_image_alt = post.feature_image_alt[:255]
        page.canonical_url = post.canonical_url
        page.category = _category_for(post, default_category)
        page.post_authors = [
            BlogPostAuthor(author=_author_for(row, image_for, notes), sort_order=n)
            for n, row in enumerate(post.authors)
        ]
        if not post.authors:
            raise PostSkipped("it has no author")
        page.tags.set(tags_ensure(t["name"] for t in post.tags if not str(t.get("name", "")).startswith("#")))

    if record is None:
        page.live = False
        parent.add_child(instance=page)
    revision = page.save_revision(log_action=True, clean=True)
    now = timezone.now()
    if post.status == "published":
        revision.publish()
    elif post.status == "scheduled" and post.published_at and post.published_at > now:
        page.go_live_at = post.published_at
        revision = page.save_revision(log_action=True)
        revision.publish()
        notes.append(f"scheduled to go live at {post.published_at.isoformat()}")
    page.refresh_from_db()
    if post.published_at or post.updated_at:
        page_backdate(
            page, post.published_at or post.updated_at, post.updated_at or post.published_at, revision
        )
    GhostImportRecord.objects.update_or_create(
        ghost_id=post.ghost_id, defaults={"page": page.page_ptr, "content_hash": content_hash}
    )
    return ("updated" if record else "created"), notes


def _category_for(post: GhostPost, default: BlogCategory) -> BlogCategory:
    """The first of the post's tags that names a category; otherwise the default."""
    slugs = [t.get("slug") for t in post.tags if t.get("slug")]
    by_slug = {c.slug: c for c in BlogCategory.objects.filter(slug__in=slugs)}
    return next((by_slug[s] for s in slugs if s in by_slug), default)


def _author_for(row: dict, image_for: Callable, notes: list[str]) -> Author:
    """The Author for a Ghost user; its profile image becomes the avatar unless one is already set."""
    slug = slugify(row.get("slug") or row.get("name") or "author")[:60] or "author"
    author, _created = Author.objects.get_or_create(
        slug=slug, defaults={"name": (row.get("name") or slug)[:120], "bio": row.get("bio") or ""}
    )
    profile_image = (row.get("profile_image") or "").strip()
    # An avatar an editor chose (or an earlier import set) is kept; a missing one is only a note,
    # since a byline without a picture is still a byline.
    if profile_image and author.avatar_id is None:
        avatar = image_for(profile_image, title=author.name)
        if avatar is None:
            notes.append(f"avatar {profile_image} of author “{slug}” could not be loaded")
        else:
            author.avatar = avatar
            author.save(update_fields=["avatar"])
    return author
