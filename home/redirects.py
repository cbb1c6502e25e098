"""Where a `next` parameter may send someone: back to a page of this site, never to another one."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request: HttpRequest, default: str, *, field: str = "next") -> str:
    """The request's `next` (POST first, then the query string) if it stays on this site, else
    `default`. Django's own check: it refuses other hosts, `//host`, backslash tricks, `javascript:`
    and, on HTTPS, a downgrade to http."""
    target = (request.POST.get(field) or request.GET.get(field) or "").strip()
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
