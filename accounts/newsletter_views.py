"""Newsletter pages: sign up (double opt-in), confirm, one-click unsubscribe (RFC 8058), and the mail
provider's signed bounce and complaint webhook."""

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import newsletter_services
from .forms import NewsletterSignupForm
from .models import MailEvent, NewsletterList, Subscription


def newsletter_signup(request: HttpRequest) -> HttpResponse:
    initial = {"email": request.user.email} if request.user.is_authenticated else {}
    form = NewsletterSignupForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        user = request.user if request.user.is_authenticated else None
        newsletter_services.subscription_request(
            form.cleaned_data["email"], list(form.cleaned_data["newsletters"]), user
        )
        return render(request, "accounts/newsletters/check_email.html", {"email": form.cleaned_data["email"]})
    return render(request, "accounts/newsletters/signup.html", {"form": form})


@require_POST
@login_required
def newsletter_subscribe(request: HttpRequest, newsletter_id: int) -> HttpResponse:
    """From the dashboard: still double opt-in, confirmed from the member's inbox."""
    newsletter = get_object_or_404(NewsletterList, pk=newsletter_id)
    newsletter_services.subscription_request(request.user.email, [newsletter], request.user)
    messages.info(request, f"Check your email to confirm your subscription to {newsletter.name}.")
    return redirect(reverse("accounts:dashboard") + "#newsletters")


@require_POST
@login_required
def newsletter_leave(request: HttpRequest, newsletter_id: int) -> HttpResponse:
    subscription = get_object_or_404(
        Subscription, newsletter_id=newsletter_id, email__iexact=request.user.email
    )
    newsletter_services.subscription_unsubscribe(subscription)
    messages.success(request, f"You will get no more {subscription.newsletter.name} emails.")
    return redirect(reverse("accounts:dashboard") + "#newsletters")


def newsletter_confirm(request: HttpRequest, signed: str) -> HttpResponse:
    confirmed = newsletter_services.subscription_confirm(signed)
    status = 200 if confirmed else 400
    return render(request, "accounts/newsletters/confirmed.html", {"subscriptions": confirmed}, status=status)


# Mail clients POST here without a session or a CSRF token (RFC 8058); the secret token is the proof.
@csrf_exempt
def newsletter_unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    subscription = get_object_or_404(Subscription.objects.select_related("newsletter"), token=token)
    if request.method == "POST":
        newsletter_services.subscription_unsubscribe(subscription)
        return render(request, "accounts/newsletters/unsubscribed.html", {"subscription": subscription})
    # A GET only asks: link scanners in mail gateways follow links and must not unsubscribe anyone.
    return render(request, "accounts/newsletters/unsubscribe.html", {"subscription": subscription})


EVENT_ID_MAX = MailEvent._meta.get_field("event_id").max_length

# What a report's "type" (and, for bounces, "bounce_type") means to us.
_MAIL_EVENT_KINDS = {
    ("bounce", "hard"): MailEvent.Kind.HARD_BOUNCE,
    ("bounce", "soft"): MailEvent.Kind.SOFT_BOUNCE,
    ("complaint", None): MailEvent.Kind.COMPLAINT,
}


@csrf_exempt  # a server-to-server POST, authenticated by its signature instead
@require_POST
def mail_events(request: HttpRequest) -> HttpResponse:
    """``{"events": [{"id", "type": "bounce"|"complaint", "bounce_type": "hard"|"soft", "email"}]}``
    signed in ``X-Mail-Events-Signature: t=<unix time>,v1=<hmac-sha256 hex of "<t>.<body>">``."""
    if not settings.ACCOUNTS_MAIL_EVENTS_SECRET:
        raise Http404("mail events are not configured")
    signature = request.headers.get("X-Mail-Events-Signature", "")
    if not newsletter_services.mail_events_verify(signature, request.body):
        return JsonResponse({"error": "bad or expired signature"}, status=403)
    try:
        parsed = _mail_event_reports(request.body)
    except ValueError:
        return JsonResponse({"error": "expected {events: [{id, type, bounce_type, email}]}"}, status=400)
    recorded = [newsletter_services.mail_event_record(*report) for report in parsed]
    processed = sum(event is not None for event in recorded)
    return JsonResponse({"processed": processed, "duplicates": len(recorded) - processed})


def _mail_event_reports(body: bytes) -> list[tuple[str, str, str]]:
    """Every report of a batch as (event id, kind, email), or ValueError if any is malformed.

    The whole batch is checked before anything is recorded, so a bad report refuses the batch
    instead of leaving it half recorded, and no NUL byte reaches the database (PostgreSQL refuses
    it mid-batch; SQLite would store it).
    """
    try:
        reports = json.loads(body)["events"]
    except (RecursionError, KeyError, TypeError) as exc:  # too deep, or not {"events": ...}
        raise ValueError("not a batch of mail events") from exc
    if not isinstance(reports, list):
        raise ValueError("events is not a list")
    return [_mail_event_report(report) for report in reports]


def _mail_event_report(report: object) -> tuple[str, str, str]:
    if not isinstance(report, dict):
        raise ValueError("a report is not an object")
    event_id, kind, email = report.get("id"), report.get("type"), report.get("email")
    bounce_type = report.get("bounce_type") if kind == "bounce" else None
    if isinstance(event_id, bool) or not isinstance(event_id, str | int):
        raise ValueError("a report's id is not text")
    event_id = str(event_id)
    if not 0 < len(event_id) <= EVENT_ID_MAX or not event_id.isprintable():
        raise ValueError("a report's id is empty, too long or not printable")
    if not isinstance(kind, str) or not isinstance(bounce_type, str | None):
        raise ValueError("a report's type is not text")
    if (kind, bounce_type) not in _MAIL_EVENT_KINDS:
        raise ValueError(f"unknown report type {kind!r}")
    if not isinstance(email, str):
        raise ValueError("a report's email is not text")
    try:
        validate_email(email.strip())  # refuses NUL and anything else that is not an address
    except ValidationError:
        raise ValueError("a report's email is not an address") from None
    return event_id, _MAIL_EVENT_KINDS[(kind, bounce_type)], email
