"""What the front door's shared cache (docker/front-door/nginx.conf) may keep, and refreshing it.

The app marks a response with `X-Accel-Expires`, which nginx reads and never forwards; every other
response passes through uncached. Only responses every anonymous reader gets alike are marked: a
request with no cookie, no Authorization and no JSON Accept (the door skips the cache for anything
else), answered 200 without setting a cookie, writing the session or asking for a CSRF token.

Two kinds of page are marked. Wagtail's pages, by the in-app page cache (edge/page_cache.py), which
purges them all on a content change. And the views named in FRONT_DOOR_SHARED_VIEWS (Oscar's
catalogue, the calendar's pages) and the Wagtail page types named in FRONT_DOOR_SHARED_PAGES (the
market's, whose product cards carry add-to-basket forms), each with the tags of what it shows
(`product:42`, `calendar`, `producer:7`):
the path is held under those tags in Redis as it is marked, and a change to a tag's source refreshes
exactly the paths held under it (`front_door_refresh_tags`, after commit, from a Celery task). A
query string is part of the path (`?month=2027-01`), so every variant the door keeps is refreshed.
"""

import time
from collections.abc import Iterable
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

SHARED_CACHE_HEADER = "X-Accel-Expires"
TAGS_ATTRIBUTE = "front_door_tags"  # on the request: the tags of a shared view's page
TAG_KEY = "front-door:tag:{}"
# A tag holds at most this many paths: past it (junk query strings) a page is kept for a second only,
# so a change never has to refresh more than this many pages per tag.
TAG_PATHS_MAX = 500
UNHELD_SECONDS = 1


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


def request_shareable(request: HttpRequest) -> bool:
    """The request is one the door may answer from its cache: the door's own rule (nginx.conf)."""
    if request.method not in ("GET", "HEAD"):
        return False
    if "json" in request.headers.get("Accept", ""):  # ActivityPub and JSON-LD clients
        return False
    # Any cookie may carry a session, a basket, messages or a CSRF token the page would use.
    return not request.COOKIES and "Authorization" not in request.headers


def response_shareable(request: HttpRequest, response: HttpResponse) -> bool:
    """Nothing in the answer is this reader's: no cookie set, no session written, no CSRF token."""
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
        and not getattr(getattr(request, "session", None), "modified", False)
        and "private" not in response.get("Cache-Control", "")
    )


def shared_view_tags(request: HttpRequest, view_name: str, kwargs: dict) -> tuple[str, ...] | None:
    """The tags of a shared view's page for this request, or None when the door may not keep it."""
    templates = getattr(settings, "FRONT_DOOR_SHARED_VIEWS", {}).get(view_name)
    if templates is None or not front_door_seconds() or not request_shareable(request):
        return None
    return tuple(template.format(**kwargs) for template in templates)


# Every Wagtail page shared by its tags also holds its paths under this one: a content change (a
# publish, a menu edit) refreshes every live page's URL, and these paths with it (home/front_door.py).
PAGES_TAG = "pages"


def shared_page_tags(request: HttpRequest, page) -> tuple[str, ...] | None:
    """The tags of a Wagtail page named in FRONT_DOOR_SHARED_PAGES for this request, or None."""
    templates = getattr(settings, "FRONT_DOOR_SHARED_PAGES", {}).get(page._meta.label_lower)
    if templates is None or getattr(request, "is_preview", False):
        return None
    if not front_door_seconds() or not request_shareable(request):
        return None
    return (PAGES_TAG, *(template.format(page=page) for template in templates))


def front_door_shared(request: HttpRequest) -> bool:
    """Whether this request renders a page the door may share: it must not ask for a CSRF token."""
    return getattr(request, TAGS_ATTRIBUTE, None) is not None


# --- which paths each tag holds (Redis) -------------------------------------------------------


def _redis():
    """The cache's Redis client, or None (local memory: no door to refresh in development)."""
    backend = getattr(cache, "_cache", None)
    return backend.get_client(write=True) if hasattr(backend, "get_client") else None


def _purging() -> bool:
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def tags_hold(tags: Iterable[str], path: str, seconds: int) -> bool:
    """Remember `path` under each tag until the door lets it go; False if a tag is full."""
    client = _redis()
    if client is None:
        return False
    now = time.time()
    keys = [cache.make_key(TAG_KEY.format(tag)) for tag in tags]
    pipe = client.pipeline()
    for key in keys:
        pipe.zremrangebyscore(key, "-inf", now)  # paths the door has let go of by now
        pipe.zcard(key)
    counts = pipe.execute()[1::2]
    if any(count >= TAG_PATHS_MAX for count in counts):
        return False
    pipe = client.pipeline()
    for key in keys:
        pipe.zadd(key, {path: now + seconds})
        pipe.expire(key, seconds + 60)
    pipe.execute()
    return True


def tags_take(tags: Iterable[str]) -> list[str]:
    """The paths held under these tags, forgotten as they are taken (a refresh holds them again)."""
    client = _redis()
    if client is None:
        return []
    pipe = client.pipeline()
    for tag in tags:
        key = cache.make_key(TAG_KEY.format(tag))
        pipe.zrangebyscore(key, time.time(), "+inf")
        pipe.delete(key)
    found = pipe.execute()[0::2]
    return sorted({path.decode() if isinstance(path, bytes) else path for paths in found for path in paths})


def front_door_mark_shared(request: HttpRequest, response: HttpResponse) -> None:
    """Mark a shared view's answer for the door, held under its tags so a change can refresh it."""
    tags = getattr(request, TAGS_ATTRIBUTE, None)
    if tags is None or not response_shareable(request, response):
        return
    seconds = front_door_seconds()
    if not (_purging() and tags_hold(tags, request.get_full_path(), seconds)):
        # Nothing could refresh it: kept a second, which still spares the app a burst of readers.
        seconds = UNHELD_SECONDS
    front_door_allow(response, seconds)


def front_door_refresh_tags(tags: Iterable[str]) -> None:
    """After the commit, refresh at the door every page held under these tags (a Celery task)."""
    tags = sorted(set(tags))
    if not tags or not _purging():
        return

    def enqueue() -> None:
        from edge.tasks import front_door_refresh

        front_door_refresh.delay(tags)

    transaction.on_commit(enqueue)


def front_door_refresh_now(tags: Iterable[str]) -> int:
    """PURGE (refresh) every path held under these tags; returns how many were sent."""
    from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

    paths = tags_take(tags)
    if paths:
        base = settings.SITE_URL.rstrip("/")
        purge_urls_from_cache([base + path for path in paths])
    return len(paths)


def front_door_share_page(page, request: HttpRequest, serve_args, serve_kwargs) -> None:
    """Wagtail's before_serve_page hook (edge/wagtail_hooks.py): before the page renders, so its
    forms leave the token out; FrontDoorSharedViewsMiddleware marks the answer on its way out."""
    tags = shared_page_tags(request, page)
    if tags is not None:
        setattr(request, TAGS_ATTRIBUTE, tags)


class FrontDoorSharedViewsMiddleware:
    """Marks the answers of FRONT_DOOR_SHARED_VIEWS for the door when they are the same for every
    anonymous reader; before the view runs, so the page leaves its CSRF token out (edge.csrf)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        front_door_mark_shared(request, response)
        return response

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> None:
        match = request.resolver_match
        tags = shared_view_tags(request, match.view_name, view_kwargs) if match else None
        if tags is not None:
            setattr(request, TAGS_ATTRIBUTE, tags)
