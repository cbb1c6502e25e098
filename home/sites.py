"""The request's Wagtail Site, found once per host in each process instead of once per request.

Wagtail's Site.find_for_request reads the sites table on every request (one query and its compile).
Sites change rarely, so each process keeps what each (host, port) resolved to, valid while the
shared cache's version key is unchanged: a saved or deleted Site bumps it (home.receivers), and
every web host's next request reads the sites again. Writes that send no signal (a queryset
update) are not seen until the next bump or cache flush, as with the chrome's other fragments.
"""

import copy
import uuid
from dataclasses import dataclass, field

from django.core.cache import cache
from django.http import HttpRequest
from django.http.request import split_domain_port
from wagtail.models import Site

SITES_VERSION_KEY = "home:sites:version"
MAX_HOSTS = 64  # Host headers are the client's: a flood of made-up names must not grow the dict for ever


@dataclass
class _Resolved:
    version: str | None = None
    by_host: dict[tuple[str, int | str], Site | None] = field(default_factory=dict)


_resolved = _Resolved()


def sites_invalidate() -> None:
    """A new version makes every process read the sites again on its next request."""
    cache.set(SITES_VERSION_KEY, uuid.uuid4().hex, None)


def site_for_request(request: HttpRequest | None) -> Site | None:
    """What Site.find_for_request answers, memoised on the request (where Wagtail looks for it too,
    so its own lookups in the same request reuse it) and per host in this process."""
    global _resolved
    if request is None:
        return None
    if hasattr(request, "_wagtail_site"):
        return request._wagtail_site
    version = _version()
    resolved = _resolved
    if resolved.version != version or len(resolved.by_host) >= MAX_HOSTS:
        resolved = _resolved = _Resolved(version)
    host = (split_domain_port(request._get_raw_host())[0], request.get_port())
    if host not in resolved.by_host:
        site = Site._find_for_request(request)
        if site is not None:
            # The root page is read again when a request needs it: a kept copy would go stale
            # when the page is published, and model instances must not be shared across requests.
            site._state.fields_cache.pop("root_page", None)
        resolved.by_host[host] = site
    site = resolved.by_host[host]
    request._wagtail_site = copy.copy(site) if site is not None else None
    return request._wagtail_site


def _version() -> str:
    version = cache.get(SITES_VERSION_KEY)
    if version is None:  # first use, or the cache was flushed: start a version every process shares
        fresh = uuid.uuid4().hex
        cache.add(SITES_VERSION_KEY, fresh, None)
        version = cache.get(SITES_VERSION_KEY) or fresh  # no cache at all: nothing is kept
    return version
