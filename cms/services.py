"""Writes for the blog: creating posts as Wagtail revisions, with their original dates if known."""

from datetime import datetime

from django.db import transaction
from taggit.models import Tag
from wagtail.models import Page, Revision

from cms.models import Author, BlogCategory, BlogIndexPage, BlogPostAuthor, BlogPostPage


@transaction.atomic
def blog_post_create(
    index: BlogIndexPage,
    *,
    title: str,
    slug: str,
    summary: str,
    body: list[dict],
    authors: list[Author],
    category: BlogCategory | None = None,
    tags: list[str] = (),
    hero_image=None,
    hero_image_alt: str = "",
    publish: bool = True,
    published_at: datetime | None = None,
    updated_at: datetime | None = None,
    user=None,
) -> BlogPostPage:
    """Add a post under `index` as a revision, published (backdated if asked) or left as a draft."""
    post = BlogPostPage(
        title=title,
        slug=slug,
        summary=summary,
        body=body,
        category=category,
        hero_image=hero_image,
        hero_image_alt=hero_image_alt,
        live=False,
        first_published_at=published_at if publish else None,
    )
    post.post_authors = [BlogPostAuthor(author=author, sort_order=n) for n, author in enumerate(authors)]
    post.tags.set(tags_ensure(tags))
    index.add_child(instance=post)
    revision = post.save_revision(user=user, log_action=True)
    if publish:
        revision.publish(user=user)
    if published_at:
        page_backdate(post, published_at, updated_at or published_at, revision)
    post.refresh_from_db()
    return post


def tags_ensure(names) -> list[Tag]:
    """Tags by name, reusing existing ones case-insensitively (taggit would duplicate them)."""
    tags = []
    for name in names:
        name = name.strip()[:100]
        if not name:
            continue
        tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
        tags.append(tag)
    return tags


def page_backdate(page: Page, published_at: datetime, updated_at: datetime, revision: Revision) -> None:
    """Give an imported or seeded page its original dates instead of today's."""
    fields = {"latest_revision_created_at": updated_at}
    if page.live:
        fields.update(first_published_at=published_at, last_published_at=updated_at)
    Page.objects.filter(pk=page.pk).update(**fields)
    Revision.objects.filter(pk=revision.pk).update(created_at=updated_at)
