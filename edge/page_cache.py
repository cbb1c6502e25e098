"""Whole-page cache for anonymous readers of Wagtail pages, invalidated when what they show changes.

A reader without cookies sees exactly what every other reader without cookies sees: the anonymous
account menu, an empty basket and no messages. Such a request for a page that opted in
(`page_cache_allow` in the page's `serve`) is answered from the cache, skipping routing, the ORM
and template rendering. Anything personal turns the cache off for that request: a session, a
basket or messages cookie, an Authorization header, a CSRF token or session write made while
rendering. ActivityPub clients (JSON Accept headers) always reach the negotiation middleware.

This is the mechanism only: it imports none of our apps. The app that owns the site root decides
when the pages are stale (home/receivers.py): publishing, unpublishing, moving or deleting a page,
a menu edit, and edits to authors, categories or images turn the one version key
(`pages_invalidate`), so the next request renders afresh: listings, feeds and the menus on every
page are never older than the last publish. Parts that change without a publish (the fediverse
reactions under a post) are "live" fragments: the page keeps a marker, and each hit fills it from a
short-lived copy of the fragment (LIVE_FRAGMENT_SECONDS), so a new like or reply shows within
seconds without a query per request. Only templates registered with `live_template_register` are
rendered so.

The key is the host, the path and only the query parameters the page reads (declared by the page,
`page_cache_query_params`), each in the one spelling the page records it used
(`page_cache_query_used`): `?utm_source=…` or `?page=02` cannot make new entries, so junk query
strings cannot fill the cache. Which names a path reads is remembered beside its entries.
"""

import hashlib
import re
import uuid
from collections.abc import Iterable
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_vary_headers

from edge.front_door import front_door_allow, request_shareable, response_shareable

VERSION_KEY = "page-cache:version"
ENTRY_KEY_PREFIX = "page-cache:page:"
QUERY_KEY_PREFIX = "page-cache:query:"
LIVE_KEY_PREFIX = "page-cache:live:"
ALLOW_ATTRIBUTE = "page_cache_allow"
QUERY_PARAMS_ATTRIBUTE = "page_cache_query_params"  # on the response: the names the page reads
QUERY_USED_ATTRIBUTE = "page_cache_query_used"  # on the request: {name: value as the page read it}
# <!--live template/name.html 42-->rendered once<!--/live-->
LIVE_MARKER = "<!--live "
LIVE_FRAGMENT = re.compile(r"<!--live ([\w./-]+) (\d+)-->.*?<!--/live-->", re.DOTALL)
KEPT_HEADERS = ("Content-Type", "Content-Language", "Link")
# How old a live fragment may be: reactions arrive from other servers seconds apart anyway, and one
# render per page per interval keeps a busy post from querying on every request.
LIVE_FRAGMENT_SECONDS = 10


# Only registered templates are rendered again on a hit, whatever a page's content might contain.
_live_templates: set[str] = set()


def live_template_register(template_name: str) -> None:
    """Let pages include `template_name` as a live fragment (called from an AppConfig.ready())."""
    _live_templates.add(template_name)


def live_template_allowed(template_name: str) -> bool:
    return template_name in _live_templates


def pages_invalidate() -> None:
    """A new version orphans every cached page at once."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, None)


def page_cache_seconds() -> int:
    return int(getattr(settings, "CMS_PAGE_CACHE_SECONDS", 0) or 0)


class AnonymousPageCacheMixin:
    """A Wagtail page that looks the same to every reader without cookies, so the cache may keep it.

    A page that reads query parameters names them here and records each value it used with
    page_cache_query_used; the cache ignores every other parameter."""

    page_cache_query_params: tuple[str, ...] = ()

    def serve(self, request, *args, **kwargs):
        response = super().serve(request, *args, **kwargs)
        return page_cache_allow(request, response, self.page_cache_query_params)


def page_cache_allow(
    request: HttpRequest, response: HttpResponse, query_params: Iterable[str] = ()
) -> HttpResponse:
    """Mark a page's response as the same for every anonymous reader (never a preview) who sends
    the same values of `query_params`, the query parameters the page reads; it ignores the rest."""
    if not getattr(request, "is_preview", False):
        setattr(response, ALLOW_ATTRIBUTE, True)
        setattr(response, QUERY_PARAMS_ATTRIBUTE, tuple(sorted(set(query_params))))
    return response


def page_cache_query_used(request: HttpRequest, name: str, value: object) -> None:
    """Record the value the page used for query parameter `name`, in its one canonical spelling.

    The response is stored only if the request spelled every parameter the page reads that way, so
    `?page=2` is kept once and `?page=02`, `?page=+2` are answered but never stored. A parameter the
    page reads but did not record keeps the response out of the cache: forgetting is safe."""
    used = getattr(request, QUERY_USED_ATTRIBUTE, None)
    if used is None:
        used = {}
        setattr(request, QUERY_USED_ATTRIBUTE, used)
    used[name] = str(value)


def live_fragment_html(template_name: str, page_id: int, html: str) -> str:
    return f"{LIVE_MARKER}{template_name} {page_id}-->{html}<!--/live-->"


def live_fragment_key(template_name: str, page_id: int) -> str:
    return f"{LIVE_KEY_PREFIX}{template_name}:{page_id}"


def live_fragment_remember(template_name: str, page_id: int, html: str) -> None:
    if page_cache_seconds():
        cache.set(live_fragment_key(template_name, page_id), html, LIVE_FRAGMENT_SECONDS)


def live_fragments_render(content: str) -> str:
    """Fill each live fragment from its short-lived copy, rendering it again when that has expired.

    The page is passed to the template by reference (its id), not loaded.
    """
    from wagtail.models import Page

    fragments = [(m.group(1), int(m.group(2))) for m in LIVE_FRAGMENT.finditer(content)]
    remembered = cache.get_many([live_fragment_key(name, page_id) for name, page_id in fragments])

    def render(match: re.Match) -> str:
        template_name, page_id = match.group(1), int(match.group(2))
        if not live_template_allowed(template_name):
            return match.group(0)
        html = remembered.get(live_fragment_key(template_name, page_id))
        if html is None:
            html = render_to_string(template_name, {"page": Page(pk=page_id)})
            live_fragment_remember(template_name, page_id, html)
        return live_fragment_html(template_name, page_id, html)

    return LIVE_FRAGMENT.sub(render, content)


def request_cacheable(request: HttpRequest) -> bool:
    # The front door's rule: no cookie, no Authorization, no JSON Accept (ActivityPub clients).
    return request.method == "GET" and bool(page_cache_seconds()) and request_shareable(request)


def response_cacheable(request: HttpRequest, response: HttpResponse) -> bool:
    return getattr(response, ALLOW_ATTRIBUTE, False) and response_shareable(request, response)


def _where(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}{request.path}"


def _query(pairs: dict, names: Iterable[str]) -> str:
    return urlencode([(name, pairs[name]) for name in sorted(names) if name in pairs])


def query_params_key(request: HttpRequest) -> str:
    """Where the names of the query parameters the page at this path reads are remembered."""
    return QUERY_KEY_PREFIX + hashlib.sha256(_where(request).encode()).hexdigest()


def page_cache_key(request: HttpRequest, query_params: Iterable[str] = ()) -> str:
    """The entry for this path and the request's values of the parameters the page reads."""
    where = f"{_where(request)}?{_query(request.GET, query_params)}"
    return ENTRY_KEY_PREFIX + hashlib.sha256(where.encode()).hexdigest()


def query_canonical(request: HttpRequest, query_params: Iterable[str]) -> bool:
    """Whether the request spelled the parameters the page reads as the page recorded using them."""
    used = getattr(request, QUERY_USED_ATTRIBUTE, {})
    return _query(request.GET, query_params) == _query(used, query_params)


class AnonymousPageCacheMiddleware:
    """Serves and stores anonymous Wagtail page responses; the last middleware, so every other
    middleware still handles the cached response on its way out (security headers, X-Frame-Options)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request_cacheable(request):
            return self.get_response(request)
        # One round trip for the version, the names the page reads and the entry without any query
        # (most pages read none); a second only for a page that reads some. Another version's
        # entry is stale.
        plain_key, names_key = page_cache_key(request), query_params_key(request)
        found = cache.get_many([VERSION_KEY, names_key, plain_key])
        version = found.get(VERSION_KEY)
        names = found.get(names_key)
        if names is not None:
            key = page_cache_key(request, names)
            entry = found.get(plain_key) if key == plain_key else cache.get(key)
            if version is not None and entry is not None and entry["version"] == version:
                return self.cached_response(entry)
        if version is None:
            cache.add(VERSION_KEY, uuid.uuid4().hex, None)
            version = cache.get(VERSION_KEY)
        response = self.get_response(request)
        names = getattr(response, QUERY_PARAMS_ATTRIBUTE, ())
        if response_cacheable(request, response) and query_canonical(request, names):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            entry = {
                "version": version,
                "content": response.content.decode(response.charset),
                "charset": response.charset,
                "headers": {name: response[name] for name in KEPT_HEADERS if name in response},
            }
            seconds = page_cache_seconds()
            cache.set_many({names_key: names, page_cache_key(request, names): entry}, seconds)
            front_door_allow(response)
        return response

    @staticmethod
    def cached_response(entry: dict) -> HttpResponse:
        content = entry["content"]
        if LIVE_MARKER in content:
            content = live_fragments_render(content)
        response = HttpResponse(content, charset=entry["charset"])
        for name, value in entry["headers"].items():
            response[name] = value
        # What the cache decided on: shared caches in front must not hand this page to a member.
        patch_vary_headers(response, ("Cookie", "Accept"))
        response["X-Page-Cache"] = "hit"
        front_door_allow(response)
        return response
