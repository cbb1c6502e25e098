"""The front door's shared cache (docker/front-door/nginx.conf): purging the pages it keeps.

The front door keeps pages the in-app page cache keeps (edge/page_cache.py): a page that opted in,
answered to a request without cookies, Authorization or a JSON Accept header, that set no cookie
and wrote no session, marked by edge.front_door.front_door_allow.

The in-app cache is invalidated as a whole on any content or menu change, since menus and
listings appear on every page. The front door has no version key to turn, so the same events
send a PURGE (Wagtail's frontend cache, HTTPBackend) for every live page's URLs, from a Celery
task after the commit: no HTTP inside the publish transaction, and the purge runs after the in-app
version changed, so the next reader's request renders afresh instead of refilling the old page.
"""

from django.conf import settings
from django.core.cache import cache

from edge.front_door import PAGES_TAG, tags_take


def front_door_enabled() -> bool:
    return bool(getattr(settings, "WAGTAILFRONTENDCACHE", None))


def front_door_urls() -> list[str]:
    """Every URL the front door may hold for a live page (routable pages' sub-paths included)."""
    from wagtail.contrib.frontend_cache.utils import PurgeBatch
    from wagtail.models import Page

    batch = PurgeBatch()
    batch.add_pages(Page.objects.live().filter(depth__gt=1).specific())
    return sorted(set(batch.urls))


def front_door_purge_all() -> int:
    """PURGE every live page from the front door, and every path the pages it shares by their tags
    are held under (a query string's variant too); returns how many URLs were sent."""
    from wagtail.contrib.frontend_cache.utils import purge_urls_from_cache

    cache.delete(PURGE_QUEUED_KEY)  # before reading: a change from now on queues another purge
    base = settings.SITE_URL.rstrip("/")
    held = [base + path for path in tags_take([PAGES_TAG])]
    urls = sorted({*front_door_urls(), *held})
    purge_urls_from_cache(urls)
    return len(urls)


# Set while a purge is queued and not yet started: the saves of one edit (a product, its stock, its
# images) and edits made meanwhile share it, since it reads the pages afresh when it starts.
PURGE_QUEUED_KEY = "front-door:purge-queued"
