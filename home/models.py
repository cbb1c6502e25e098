"""The home page: the root of the site's page tree, with the latest blog posts."""

from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from cms.blocks import ArticleStreamBlock
from edge.page_cache import AnonymousPageCacheMixin


class HomePage(AnonymousPageCacheMixin, Page):
    intro = models.CharField(max_length=255, blank=True)
    body = RichTextField(blank=True)
    latest_posts = models.PositiveSmallIntegerField(
        default=3, help_text="How many of the newest blog posts to show (0 hides them)."
    )

    # Shown beside the latest posts: this week's events, the producers' picks, the next market day…
    sections = StreamField(
        ArticleStreamBlock(),
        blank=True,
        help_text="Shown beside the latest posts; add what the market and the calendar offer.",
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldPanel("body"),
        FieldPanel("latest_posts"),
        FieldPanel("sections"),
    ]

    parent_page_types = ["wagtailcore.Page"]
    # The calendar's index page (events app) also hangs off the home page.
    subpage_types = ["cms.BlogIndexPage", "cms.ContentPage", "events.EventIndexPage", "commerce.MarketPage"]
    max_count = 1

    def get_context(self, request, *args, **kwargs):
        from cms.models import BlogIndexPage
        from cms.selectors import blog_posts_latest

        from .remote_follow import site_actors

        context = super().get_context(request, *args, **kwargs)
        context["children"] = self.get_children().live().in_menu()
        context["latest_posts"] = blog_posts_latest(self.latest_posts) if self.latest_posts else []
        context["blog_index"] = BlogIndexPage.objects.live().child_of(self).first()
        context["follow_actors"] = site_actors()
        return context
