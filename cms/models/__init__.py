"""The CMS models: page types, snippets, navigation settings and the Ghost import ledger."""

from .imports import GhostImportRecord
from .navigation import NavigationSettings
from .pages import BlogIndexPage, BlogPostAuthor, BlogPostPage, BlogPostTag, ContentPage
from .snippets import Author, BlogCategory

__all__ = [
    "Author",
    "BlogCategory",
    "BlogIndexPage",
    "BlogPostAuthor",
    "BlogPostPage",
    "BlogPostTag",
    "ContentPage",
    "GhostImportRecord",
    "NavigationSettings",
]
