"""Wagtail admin for newsletters: lists, subscribers, issues, and sending an issue with progress."""

from django.urls import path, reverse
from wagtail import hooks
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_views
from .models import NewsletterIssue, NewsletterList, Subscription


class ProgressColumn(Column):
    cell_template_name = "accounts/admin/progress_cell.html"


class NewsletterListViewSet(SnippetViewSet):
    model = NewsletterList
    icon = "mail"
    menu_label = "Lists"
    list_display = [
        "name",
        "slug",
        Column(
            "subscribers",
            label="Subscribers",
            accessor=lambda newsletter: newsletter.subscriptions.filter(
                status=Subscription.Status.ACTIVE
            ).count(),
        ),
        "is_public",
    ]
    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description"), FieldPanel("is_public")]


class NewsletterIssueViewSet(SnippetViewSet):
    model = NewsletterIssue
    icon = "doc-full"
    menu_label = "Issues"
    list_display = [
        "__str__",
        "newsletter",
        "status",
        ProgressColumn("progress", label="Progress", accessor=admin_views.issue_progress_for_column),
    ]
    list_filter = ["newsletter", "status"]
    panels = [FieldPanel("newsletter"), FieldPanel("page"), FieldPanel("subject")]


class SubscriptionViewSet(SnippetViewSet):
    model = Subscription
    icon = "user"
    menu_label = "Subscribers"
    list_display = ["email", "newsletter", "status", "confirmed_at"]
    list_filter = ["newsletter", "status"]
    panels = [FieldPanel("newsletter"), FieldPanel("email"), FieldPanel("status")]


class NewslettersGroup(SnippetViewSetGroup):
    menu_label = "Newsletters"
    menu_icon = "mail"
    menu_order = 300
    items = (NewsletterListViewSet, NewsletterIssueViewSet, SubscriptionViewSet)


register_snippet(NewslettersGroup)


@hooks.register("register_admin_urls")
def newsletter_admin_urls():
    return [
        path("newsletters/issues/<id:pk>/send/", admin_views.issue_send, name="accounts_issue_send"),
        path(
            "newsletters/issues/<id:pk>/progress/",
            admin_views.issue_progress,
            name="accounts_issue_progress",
        ),
    ]


@hooks.register("register_snippet_listing_buttons")
def newsletter_issue_buttons(snippet, user, next_url=None):
    if isinstance(snippet, NewsletterIssue):
        if snippet.status == NewsletterIssue.Status.DRAFT:
            yield Button(
                "Send…", reverse("accounts_issue_send", args=[snippet.pk]), icon_name="mail", priority=5
            )
        else:
            yield Button("Progress", reverse("accounts_issue_progress", args=[snippet.pk]), priority=5)


@hooks.register("before_delete_user")
def user_delete_as_the_member_would(request, user):
    """Wagtail's user delete, confirmed: the same deletion as the member's own (orders and payments
    anonymised), not a plain cascade that fails on the baskets payments protect."""
    if request.method != "POST":
        return None  # Wagtail's confirmation page
    from django.contrib import messages
    from django.shortcuts import redirect

    from .deletion import user_delete

    name = str(user)
    user_delete(user)
    messages.success(request, f"User '{name}' deleted.")
    return redirect("wagtailusers_users:index")
