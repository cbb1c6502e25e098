"""What the front door's shared cache (docker/front-door/nginx.conf) may keep, said per response.

The app marks a response with `X-Accel-Expires`, which nginx reads and never forwards; every other
response passes through uncached. Only responses every anonymous reader gets alike are marked:
the caller decides that (no cookie read or set, no session, nothing per user).
"""

from functools import wraps

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

SHARED_CACHE_HEADER = "X-Accel-Expires"


def front_door_seconds() -> int:
    return int(getattr(settings, "FRONT_DOOR_CACHE_SECONDS", 0) or 0)


def front_door_allow(response: HttpResponse, seconds: int | None = None) -> None:
    """Let the shared cache keep this response for `seconds` (the site's page lifetime by default)."""
    if front_door_seconds():  # 0 switches the shared cache off for everything
        response[SHARED_CACHE_HEADER] = str(front_door_seconds() if seconds is None else seconds)
    # Browsers ask again each time (an edit shows at once); what any cache keeps was decided on
    # the reader's cookies and Accept header.
    patch_cache_control(response, public=True, max_age=0)
    patch_vary_headers(response, ("Cookie", "Accept"))


def door_cached_briefly(content_type: str, *, seconds_setting: str):
    """A view decorator: let the front door keep the view's public `content_type` answers for the
    seconds named by `seconds_setting` (0 or unset: never).

    For documents fetched in bursts (a post shared widely is fetched by thousands of servers within
    seconds): they all get the same bytes. Only what an anonymous request got is kept (the door also
    skips any request with a cookie or Authorization), and only answers of that content type, which
    nginx keys apart from the HTML page at the same URL. No purge: the copy is seconds old at most.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            seconds = getattr(settings, seconds_setting, 0)
            is_document = response.get("Content-Type", "").split(";")[0].strip() == content_type
            public = response.status_code in (200, 410) and not request.user.is_authenticated
            if seconds and is_document and public:
                front_door_allow(response, seconds)
            return response

        return wrapped

    return decorator
