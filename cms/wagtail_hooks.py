"""Admin registration: authors and categories as snippets, the autosave guard against a racing publish,
and the page edit view that mails comment subscribers after commit."""

from wagtail import hooks
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from cms.autosave import autosave_refuse_if_page_changed
from cms.models import Author, BlogCategory
from cms.page_edit import CommentMailAfterCommitPageViewSet


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


@hooks.register("register_admin_viewset")
def page_viewset_register() -> CommentMailAfterCommitPageViewSet:
    return CommentMailAfterCommitPageViewSet()
