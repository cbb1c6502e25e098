"""Sign-in throttling: failed attempts counted in the cache per email and per client address.

The counters live in the shared cache (Redis in production) so every web process sees them.
Failures are recorded from Django's ``user_login_failed`` signal, so attempts on any login form
count; the site's own login page is the one that refuses further tries.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


def _key(kind: str, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:32]
    return f"accounts:login-failures:{kind}:{digest}"


def client_address(request: HttpRequest | None) -> str:
    """The client's address. Behind N reverse proxies (ACCOUNTS_TRUSTED_PROXIES) it is the Nth
    entry from the right of X-Forwarded-For, the one our own outermost proxy wrote; entries further
    left are whatever the client chose to send."""
    if request is None:
        return "unknown"
    proxies = settings.ACCOUNTS_TRUSTED_PROXIES
    if proxies:
        forwarded = [
            part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _keys(email: str, request: HttpRequest | None) -> list[str]:
    keys = [_key("ip", client_address(request))]
    if email:
        keys.append(_key("email", email))
    return keys


def login_failure_record(email: str, request: HttpRequest | None) -> None:
    window = settings.ACCOUNTS_LOGIN_WINDOW_SECONDS
    for key in _keys(email, request):
        # add() then incr() keeps the count atomic on Redis; the window starts at the first failure.
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window)


def login_is_locked(email: str, request: HttpRequest | None) -> bool:
    limit = settings.ACCOUNTS_LOGIN_MAX_FAILURES
    # The per-address limit is looser: many members may share one address (a café, a co-op office).
    counts = cache.get_many(_keys(email, request))
    ip_count = counts.get(_key("ip", client_address(request)), 0)
    email_count = counts.get(_key("email", email), 0) if email else 0
    return email_count >= limit or ip_count >= limit * 4


def login_failures_clear(email: str) -> None:
    cache.delete(_key("email", email))
