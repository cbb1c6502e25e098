"""Who django-axes counts a sign-in attempt against: the normalised email and the client address."""

from django.conf import settings
from django.http import HttpRequest

from .models import email_canonical


def signin_username(request: HttpRequest | None, credentials: dict | None) -> str | None:
    """The email an attempt was for, in its canonical spelling: our login form signs in with that,
    and Oscar's EmailBackend matches case-insensitively, so "Ann@x", "ann@x" and a full-width "ann@x"
    must count as one account's failures."""
    credentials = credentials or {}
    # Our login form and Django's admin post "username"; axes' own lookups pass USERNAME_FIELD.
    email = credentials.get("username") or credentials.get("email")
    if email is None and request is not None:
        email = getattr(request, "POST", {}).get("username")
    if not email:
        return None
    return email_canonical(str(email))


def signin_client_address(request: HttpRequest) -> str:
    """The client's address. Behind N reverse proxies (ACCOUNTS_TRUSTED_PROXIES) it is the Nth
    entry from the right of X-Forwarded-For, the one our own outermost proxy wrote; entries further
    left are whatever the client chose to send."""
    proxies = settings.ACCOUNTS_TRUSTED_PROXIES
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"
