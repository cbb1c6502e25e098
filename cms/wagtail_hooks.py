"""Admin registration: authors and categories as snippets, and the autosave guard against a racing publish."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.autosave import autosave_refuse_if_page_changed
from cms.models import Author, BlogCategory


class AuthorViewSet(SnippetViewSet):
    model = Author
    icon = "user"
    menu_label = "Authors"
    list_display = ["name", "slug", "user"]
    search_fields = ["name", "slug"]
    add_to_admin_menu = True
    menu_order = 210


class BlogCategoryViewSet(SnippetViewSet):
    model = BlogCategory
    icon = "tag"
    menu_label = "Blog categories"
    list_display = ["name", "slug", "urgent"]
    add_to_admin_menu = True
    menu_order = 220


register_snippet(AuthorViewSet)
register_snippet(BlogCategoryViewSet)

hooks.register("before_edit_page", autosave_refuse_if_page_changed)
