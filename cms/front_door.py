"""The front door's shared cache (docker/front-door/nginx.conf): what it may keep, and its purge.

The front door keeps exactly what the in-app page cache keeps (cms/page_cache.py): a page that
opted in, answered to a request without cookies, Authorization or a JSON Accept header, that set
no cookie and wrote no session. The app says so with `X-Accel-Expires`, which nginx reads and
never forwards; every other response passes through uncached.

The in-app cache is invalidated as a whole on any content or menu change, since menus and
listings appear on every page. The front door has no version key to turn, so the same events
send a PURGE (Wagtail's frontend cache, HTTPBackend) for every live page's URLs, from a Celery
task after the commit: no HTTP inside the publish transaction, and the purge runs after the in-app
version changed, so the next reader's request renders afresh instead of refilling the old page.
"""

from django.conf import settings
from django.http import HttpResponse
from django.utils.cache import patch_cache_control, patch_vary_headers

SHARED_CACHE_HEADER = "X-Accel-Expires"


def front_door_seconds() -> int:
    return int(getattr(settings, "FRONT_DOOR_CACHE_SECONDS", 0) or 0)


def front_door_enabled() -> bool:
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def front_door_allow(response: HttpResponse) -> None:
    """Let the shared cache keep this response, which every anonymous reader gets alike."""
    seconds = front_door_seconds()
    if seconds:
        response[SHARED_CACHE_HEADER] = str(seconds)
    # Browsers ask again each time (an edit shows at once); what any cache keeps was decided on
    # the reader's cookies and Accept header.
    patch_cache_control(response, public=True, max_age=0)
    patch_vary_headers(response, ("Cookie", "Accept"))


def front_door_urls() -> list[str]:
    """Every URL the front door may hold for a live page (routable pages' sub-paths included)."""
    from wagtail.contrib.frontend_cache.utils import PurgeBatch
    from wagtail.models import Page

    batch = PurgeBatch()
    batch.add_pages(Page.objects.live().filter(depth__gt=1).specific())
    return sorted(set(batch.urls))


def front_door_purge_all() -> int:
    """PURGE every live page from the front door; returns how many URLs were sent."""
    from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

    urls = front_door_urls()
    purge_urls_from_cache(urls)
    return len(urls)
