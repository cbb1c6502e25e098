"""Wagtail admin views: confirm and queue a newsletter issue, then watch its progress."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse

from . import newsletter_services, selectors
from .models import NewsletterIssue, Subscription


def issue_progress_for_column(issue: NewsletterIssue) -> dict:
    return {"issue": issue, **selectors.issue_progress(issue)}


def _issue_for(request: HttpRequest, pk: int) -> NewsletterIssue:
    if not request.user.has_perm("accounts.change_newsletterissue"):
        raise PermissionDenied
    return get_object_or_404(NewsletterIssue.objects.select_related("newsletter", "page"), pk=pk)


@transaction.non_atomic_requests  # renders the page, which may ask an oEmbed provider (issue_queue)
def issue_send(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue_for(request, pk)
    if request.method == "POST":
        if newsletter_services.issue_queue(issue):
            messages.success(request, f"Sending “{issue}” to {issue.newsletter}.")
        else:
            messages.error(request, "This issue was already sent, or it has no page.")
        return redirect("accounts_issue_progress", pk=issue.pk)
    recipients = issue.newsletter.subscriptions.filter(status=Subscription.Status.ACTIVE).count()
    return TemplateResponse(
        request,
        "accounts/admin/issue_send.html",
        {"issue": issue, "recipients": recipients, "page_title": f"Send {issue}", "header_icon": "mail"},
    )


def issue_progress(request: HttpRequest, pk: int) -> HttpResponse:
    issue = _issue_for(request, pk)
    progress = selectors.issue_progress(issue)
    if request.headers.get("Accept") == "application/json":
        return JsonResponse(progress)
    return TemplateResponse(
        request,
        "accounts/admin/issue_progress.html",
        {"issue": issue, "progress": progress, "page_title": f"Sending {issue}", "header_icon": "mail"},
    )
