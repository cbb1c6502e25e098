"""The site chrome's header and footer fragments (menus, basket count, account menu), cached per source.

Keys are scoped so no fragment can reach another visitor: menus are per site (they hold nothing
personal), the basket count is per basket id and the account menu per user id. Invalidation deletes
or re-versions exactly those keys when their source changes.
"""

import uuid

from django.core.cache import cache
from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string

from home.sites import site_for_request

MENU_VERSION_KEY = "cms:menus:version"
FRAGMENT_TIMEOUT = 60 * 60  # an hour: invalidation does the real work; this only bounds staleness
CSRF_PLACEHOLDER = "__cms_csrf_token__"
DEFAULT_MENU = [
    {"label": "Blog", "url": "/blog/", "children": []},
    {"label": "Market", "url": "/shop/", "children": []},
    {"label": "Events", "url": "/events/", "children": []},
]


# --- keys and invalidation -------------------------------------------------------------------


def menus_invalidate() -> None:
    """A new version orphans every cached menu at once, on every site."""
    cache.set(MENU_VERSION_KEY, uuid.uuid4().hex, None)


def basket_fragment_key(basket_id: int) -> str:
    return f"cms:basket:{basket_id}"


def basket_fragment_invalidate(basket_id: int | None) -> None:
    if basket_id:
        cache.delete(basket_fragment_key(basket_id))


def account_fragment_key(user_id: int | None) -> str:
    return f"cms:account:{user_id}" if user_id else "cms:account:anonymous"


def account_fragment_invalidate(user_id: int | None) -> None:
    cache.delete(account_fragment_key(user_id))


# --- menus ------------------------------------------------------------------------------------


def menu_link_resolve(value) -> dict | None:
    page = value.get("page")
    if page is not None:
        if not page.live:
            return None
        return {"label": value.get("label") or page.title, "url": page.get_url() or "#", "children": []}
    url = value.get("section") or value.get("url")
    if not url:
        return None
    return {"label": value.get("label") or url, "url": url, "children": []}


def menu_items(stream) -> list[dict]:
    """Turn a menu StreamField into plain dicts; links to unpublished pages drop out."""
    items = []
    for block in stream:
        if block.block_type == "link":
            item = menu_link_resolve(block.value)
            if item:
                items.append(item)
        elif block.block_type == "group":
            children = [link for link in map(menu_link_resolve, block.value["links"]) if link]
            items.append({"label": block.value["label"], "url": None, "children": children})
    return items


def menu_html(request: HttpRequest, handle: str) -> str:
    from cms.models import NavigationSettings

    site = site_for_request(request)
    key = f"cms:menu:{handle}:{site.pk if site else 0}:{_menu_version(request)}"
    html = cache.get(key)
    if html is None:
        items = []
        if site is not None:
            navigation = NavigationSettings.for_site(site)
            items = menu_items(getattr(navigation, f"{handle}_menu"))
        html = render_to_string(f"home/chrome/{handle}_menu.html", {"items": items or DEFAULT_MENU})
        cache.set(key, html, FRAGMENT_TIMEOUT)
    return html


def _menu_version(request: HttpRequest) -> str:
    # Read once per request: the header and the footer menu share it.
    version = getattr(request, "_menu_version", None)
    if version is None:
        version = cache.get(MENU_VERSION_KEY)
        if version is None:
            version = uuid.uuid4().hex
            cache.add(MENU_VERSION_KEY, version, None)
            version = cache.get(MENU_VERSION_KEY, version)
        request._menu_version = version
    return version


# --- basket and account -----------------------------------------------------------------------


def basket_link_html(request: HttpRequest) -> str:
    basket = getattr(request, "basket", None)
    basket_id = getattr(basket, "pk", None) if basket is not None else None
    if not basket_id:  # no saved basket yet: nothing to count, nothing to cache
        return render_to_string("home/chrome/basket_link.html", {"count": 0})
    key = basket_fragment_key(basket_id)
    html = cache.get(key)
    if html is None:
        html = render_to_string("home/chrome/basket_link.html", {"count": basket.num_items})
        cache.set(key, html, FRAGMENT_TIMEOUT)
    return html


def account_menu_html(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    user_id = user.pk if user is not None and user.is_authenticated else None
    key = account_fragment_key(user_id)
    html = cache.get(key)
    if html is None:
        # The CSRF token is per session, so the cached copy holds a placeholder filled in below.
        context = {"account_user": user if user_id else None, "csrf_token": CSRF_PLACEHOLDER}
        html = render_to_string("home/chrome/account_menu.html", context)
        cache.set(key, html, FRAGMENT_TIMEOUT)
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return html
