"""Reads for the blog: listings that run a fixed number of queries however many posts exist."""

from django.db.models import Prefetch, QuerySet
from wagtail.images import get_image_model
from wagtail.models import Page

from cms.models import BlogPostAuthor, BlogPostPage
from cms.models.pages import HERO_RENDITIONS


def hero_renditions_prefetch(lookup: str = "hero_image__renditions") -> Prefetch:
    rendition_model = get_image_model().get_rendition_model()
    return Prefetch(lookup, queryset=rendition_model.objects.filter(filter_spec__in=HERO_RENDITIONS))


def blog_posts_with_relations(posts: QuerySet) -> QuerySet:
    """Everything a post card or feed item shows, fetched in one query per relation."""
    return posts.select_related("category", "hero_image").prefetch_related(
        Prefetch(
            "post_authors",
            queryset=BlogPostAuthor.objects.select_related("author").order_by("sort_order"),
        ),
        "tags",
        hero_renditions_prefetch(),
    )


def blog_posts_for_listing(index: Page | None = None) -> QuerySet:
    """Live, public posts (under `index` if given), newest first."""
    posts = BlogPostPage.objects.live().public()
    if index is not None:
        posts = posts.child_of(index)
    posts = posts.defer("body").order_by("-first_published_at", "-pk")
    return blog_posts_with_relations(posts)


def blog_posts_latest(limit: int = 3) -> list[BlogPostPage]:
    return list(blog_posts_for_listing()[:limit])
