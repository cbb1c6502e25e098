"""Snippets editors manage beside the page tree: authors and blog categories."""

from django.conf import settings
from django.db import models
from wagtail.admin.panels import FieldPanel
from wagtail.search import index


class Author(index.Indexed, models.Model):
    """A byline. Its slug is also the author's fediverse username (@slug@SITE_HOST)."""

    slug = models.SlugField(
        unique=True,
        max_length=60,
        help_text="Used in URLs and as the fediverse username; changing it breaks followers' links.",
    )
    name = models.CharField(max_length=120)
    bio = models.TextField(blank=True)
    avatar = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="authors",
        help_text="The member account that writes as this author, if any.",
    )

    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("bio"),
        FieldPanel("avatar"),
        FieldPanel("user"),
    ]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name"), index.FilterField("slug")]

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class BlogCategory(models.Model):
    """Each post has one. `urgent` changes how publishing behaves (federation pushes it at once)."""

    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(unique=True, max_length=80)
    urgent = models.BooleanField(
        default=False, help_text="Posts in an urgent category are announced immediately and flagged."
    )

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("urgent")]

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "blog categories"

    def __str__(self) -> str:
        return self.name
