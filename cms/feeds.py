"""RSS 2.0 and Atom feeds for the blog: the whole blog, one category, one author."""

from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed

from cms.models import Author, BlogCategory
from cms.payload import page_absolute_url
from cms.selectors import blog_posts_for_listing

FEED_LENGTH = 20


class BlogFeed(Feed):
    """One instance per request: it carries the index page and the chosen filter."""

    def __init__(self, index, atom: bool = False, category: str | None = None, author: str | None = None):
        super().__init__()
        self.index = index
        self.feed_type = Atom1Feed if atom else Rss201rev2Feed
        self.category_slug = category
        self.author_slug = author

    def get_object(self, request, *args, **kwargs):
        self.request = request
        if self.category_slug:
            return get_object_or_404(BlogCategory, slug=self.category_slug)
        if self.author_slug:
            return get_object_or_404(Author, slug=self.author_slug)
        return None

    def title(self, obj):
        base = self.index.title
        if isinstance(obj, BlogCategory):
            return f"{base}: {obj.name}"
        if isinstance(obj, Author):
            return f"{base}: posts by {obj.name}"
        return base

    def subtitle(self, obj):
        if isinstance(obj, Author) and obj.bio:
            return obj.bio
        return f"The latest posts from {self.index.title}"

    description = subtitle

    def link(self, obj):
        index_url = page_absolute_url(self.index)
        if isinstance(obj, BlogCategory):
            return index_url + self.index.reverse_subpage("category", kwargs={"slug": obj.slug})
        if isinstance(obj, Author):
            return index_url + self.index.reverse_subpage("author", kwargs={"slug": obj.slug})
        return index_url

    def feed_url(self, obj):
        return self.request.build_absolute_uri(self.request.path)

    def items(self, obj):
        posts = blog_posts_for_listing(self.index)
        if isinstance(obj, BlogCategory):
            posts = posts.filter(category=obj)
        elif isinstance(obj, Author):
            posts = posts.filter(post_authors__author=obj)
        return posts[:FEED_LENGTH]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.summary

    def item_link(self, item):
        return page_absolute_url(item)

    def item_guid(self, item):
        return page_absolute_url(item)

    def item_pubdate(self, item):
        return item.first_published_at

    def item_updateddate(self, item):
        return item.last_published_at or item.first_published_at

    def item_author_name(self, item):
        authors = item.authors
        return ", ".join(author.name for author in authors) if authors else None

    def item_categories(self, item):
        names = [item.category.name] if item.category else []
        return names + [tag.name for tag in item.tags.all()]
