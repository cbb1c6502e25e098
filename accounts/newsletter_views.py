"""Newsletter pages: sign up (double opt-in), confirm, and one-click unsubscribe (RFC 8058)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from . import newsletter_services
from .forms import NewsletterSignupForm
from .models import NewsletterList, Subscription


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
