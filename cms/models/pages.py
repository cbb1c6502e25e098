"""Page types: the blog index at /blog/, its posts, and plain content pages."""

import math
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import models
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.html import strip_tags
from modelcluster.contrib.taggit import ClusterTaggableManager
from modelcluster.fields import ParentalKey
from taggit.models import Tag, TaggedItemBase
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from cms.blocks import ArticleStreamBlock
from edge.page_cache import AnonymousPageCacheMixin, page_cache_query_used

WORDS_PER_MINUTE = 220
POSTS_PER_PAGE = 10
# Paths the blog index answers itself; a post may not take one of them as its slug.
RESERVED_POST_SLUGS = {"feed", "category", "tag", "author"}
HERO_RENDITIONS = ("fill-1200x630", "width-400", "width-800", "width-1200", "fill-480x270", "fill-960x540")


class BlogIndexPage(AnonymousPageCacheMixin, RoutablePageMixin, Page):
    intro = RichTextField(blank=True, features=["bold", "italic", "link"])

    content_panels = Page.content_panels + [FieldPanel("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["cms.BlogPostPage"]
    max_count = 1
    posts_per_page = POSTS_PER_PAGE
    page_cache_query_params = ("category", "tag", "author", "page")

    def get_context(self, request, *args, filters=None, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["filters"] = dict(filters or {})
        context["posts"] = self.posts_page(request, self.filtered_posts(request, context["filters"]))
        return context

    def filtered_posts(self, request, filters: dict[str, Any]) -> models.QuerySet:
        """Narrow the listing by ?category=, ?tag= and ?author= (slugs); unknown slugs are a 404."""
        from cms.selectors import blog_posts_for_listing

        posts = blog_posts_for_listing(self)
        category_slug = filters.get("category") or request.GET.get("category")
        tag_slug = filters.get("tag") or request.GET.get("tag")
        author_slug = filters.get("author") or request.GET.get("author")
        for name, slug in (("category", category_slug), ("tag", tag_slug), ("author", author_slug)):
            if slug and name not in filters:  # read from the query string, not the path
                page_cache_query_used(request, name, slug)
        if category_slug:
            from cms.models import BlogCategory

            filters["category"] = get_object_or_404(BlogCategory, slug=category_slug)
            posts = posts.filter(category=filters["category"])
        if tag_slug:
            filters["tag"] = get_object_or_404(Tag, slug=tag_slug)
            posts = posts.filter(tags=filters["tag"])
        if author_slug:
            from cms.models import Author

            filters["author"] = get_object_or_404(Author.objects.select_related("avatar"), slug=author_slug)
            posts = posts.filter(post_authors__author=filters["author"])
        return posts

    def posts_page(self, request, posts: models.QuerySet):
        paginator = Paginator(posts, self.posts_per_page)
        try:
            number = int(request.GET.get("page", 1))
        except ValueError:
            raise Http404("No such page") from None
        if number < 1 or (number > paginator.num_pages):
            raise Http404("No such page")
        if "page" in request.GET:
            page_cache_query_used(request, "page", number)
        return paginator.page(number)

    def listing(self, request, **filters):
        return self.render(request, filters=filters)

    @path("")
    def index(self, request):
        return self.listing(request)

    @path("category/<slug:slug>/", name="category")
    def category(self, request, slug):
        return self.listing(request, category=slug)

    @path("tag/<slug:slug>/", name="tag")
    def tag(self, request, slug):
        return self.listing(request, tag=slug)

    @path("author/<slug:slug>/", name="author")
    def author(self, request, slug):
        return self.listing(request, author=slug)

    @path("feed/", name="feed_rss")
    @path("feed/atom/", name="feed_atom")
    def feed(self, request):
        return self.serve_feed(request)

    @path("category/<slug:slug>/feed/", name="category_feed_rss")
    @path("category/<slug:slug>/feed/atom/", name="category_feed_atom")
    def category_feed(self, request, slug):
        return self.serve_feed(request, category=slug)

    @path("author/<slug:slug>/feed/", name="author_feed_rss")
    @path("author/<slug:slug>/feed/atom/", name="author_feed_atom")
    def author_feed(self, request, slug):
        return self.serve_feed(request, author=slug)

    def serve_feed(self, request, **filters):
        from cms.feeds import BlogFeed

        atom = request.path.rstrip("/").endswith("/atom")
        return BlogFeed(self, atom=atom, **filters)(request)


class BlogPostTag(TaggedItemBase):
    content_object = ParentalKey("cms.BlogPostPage", on_delete=models.CASCADE, related_name="tagged_items")


class BlogPostPage(AnonymousPageCacheMixin, Page):
    summary = models.TextField(
        "standfirst", max_length=600, help_text="One or two sentences under the title."
    )
    hero_image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    hero_image_alt = models.CharField(
        "hero image alt text", max_length=255, blank=True, help_text="Leave empty only if purely decorative."
    )
    body = StreamField(ArticleStreamBlock())
    category = models.ForeignKey(
        "cms.BlogCategory", null=True, blank=False, on_delete=models.PROTECT, related_name="posts"
    )
    tags = ClusterTaggableManager(through=BlogPostTag, blank=True)
    canonical_url = models.URLField(
        blank=True, help_text="Only if this post first appeared elsewhere; otherwise its own URL is used."
    )
    reading_minutes = models.PositiveSmallIntegerField(default=1, editable=False)

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel([FieldPanel("hero_image"), FieldPanel("hero_image_alt")], heading="Hero image"),
        InlinePanel("post_authors", label="Author", min_num=1),
        FieldPanel("category"),
        FieldPanel("tags"),
        FieldPanel("body"),
    ]
    promote_panels = Page.promote_panels + [FieldPanel("canonical_url")]

    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.FilterField("category"),
    ]

    parent_page_types = ["cms.BlogIndexPage"]
    subpage_types: list[str] = []

    def clean(self):
        super().clean()
        if self.slug in RESERVED_POST_SLUGS:
            raise ValidationError({"slug": f"“{self.slug}” is reserved for the blog's own pages."})

    def save(self, *args, **kwargs):
        # Stored rather than computed so listings need not load and walk every body.
        self.reading_minutes = reading_minutes(self.body)
        return super().save(*args, **kwargs)

    @cached_property
    def authors(self) -> list:
        return [link.author for link in self.post_authors.all()]

    @cached_property
    def tag_list(self) -> list:
        return list(self.tags.all())

    @property
    def first_author(self):
        authors = self.authors
        return authors[0] if authors else None

    @property
    def canonical(self) -> str:
        return self.canonical_url or self.full_url

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        # One query for the parent as its specific type (get_parent().specific would take two).
        context["blog_index"] = BlogIndexPage.objects.filter(path=self.path[: -self.steplen]).first()
        if self.pk and not getattr(request, "is_preview", False):
            # One query for the byline however many authors (a preview keeps the form's unsaved ones).
            prefetch_related_objects(
                [self],
                Prefetch(
                    "post_authors",
                    queryset=BlogPostAuthor.objects.select_related("author").order_by("sort_order"),
                ),
            )
        return context

    def federation_payload(self) -> dict:
        from cms.payload import blog_post_payload

        return blog_post_payload(self)


class BlogPostAuthor(Orderable):
    page = ParentalKey(BlogPostPage, on_delete=models.CASCADE, related_name="post_authors")
    author = models.ForeignKey("cms.Author", on_delete=models.CASCADE, related_name="post_links")

    panels = [FieldPanel("author")]

    class Meta(Orderable.Meta):
        unique_together = [("page", "author")]


class ContentPage(AnonymousPageCacheMixin, Page):
    """About, contact and other pages that are not part of the blog."""

    summary = models.TextField(blank=True)
    body = StreamField(ArticleStreamBlock(), blank=True)

    content_panels = Page.content_panels + [FieldPanel("summary"), FieldPanel("body")]
    search_fields = Page.search_fields + [index.SearchField("summary"), index.SearchField("body")]

    parent_page_types = ["home.HomePage", "cms.ContentPage"]
    subpage_types = ["cms.ContentPage"]


def reading_minutes(body) -> int:
    words = 0
    for block in body or []:
        value = block.value
        if block.block_type == "paragraph":
            words += len(strip_tags(value.source).split())
        elif block.block_type == "quote":
            words += len(value["text"].split())
        elif block.block_type == "code":
            words += len(value["code"].split()) // 2  # code is skimmed, not read word by word
        elif block.block_type == "image" and value.get("caption"):
            words += len(value["caption"].split())
    return max(1, math.ceil(words / WORDS_PER_MINUTE))
