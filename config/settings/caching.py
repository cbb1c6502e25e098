"""What the in-app page cache and the front door (docker/front-door/nginx.conf) keep, and purging them."""

from .site import env

# Anonymous readers' Wagtail pages are served from the cache; publishing invalidates. 0 turns it off.
CMS_PAGE_CACHE_SECONDS = env.int("CMS_PAGE_CACHE_SECONDS", default=600)
# The front door (docker/front-door/nginx.conf) keeps the same pages this long, and is purged on the
# same changes through Wagtail's frontend cache when FRONT_DOOR_PURGE_URL names its nginx listener.
FRONT_DOOR_CACHE_SECONDS = env.int("FRONT_DOOR_CACHE_SECONDS", default=600)
if FRONT_DOOR_PURGE_URL := env("FRONT_DOOR_PURGE_URL", default=""):
    WAGTAILFRONTENDCACHE = {
        "front_door": {
            "BACKEND": "wagtail.contrib.frontend_cache.backends.HTTPBackend",
            "LOCATION": FRONT_DOOR_PURGE_URL,
        }
    }

# Other views whose anonymous answers the front door keeps, each with the tags of what it shows
# (formatted with the URL's arguments). A change refreshes the paths held under its tags: a product,
# its stock or images (commerce), an event, its dates or bookings (events). The calendar's month
# pages read ?month= and ?year=: every variant the door keeps is held, and refreshed.
_CALENDAR = ("calendar",)
FRONT_DOOR_SHARED_VIEWS = {
    "catalogue:index": ("catalogue",),
    "catalogue:category": ("catalogue",),
    "catalogue:range": ("catalogue",),
    "catalogue:detail": ("product:{pk}",),
    "events:home": _CALENDAR,
    "events:occurrence": ("event:{event_id}",),
    "events:event": ("event:{event_id}",),
    "events:occurrence_stored": ("event:{event_id}",),
    "events:occurrence_by_date": ("event:{event_id}",),
    **dict.fromkeys(
        ("calendar_list", "calendar_home", "year_calendar", "tri_month_calendar", "compact_calendar")
        + ("month_calendar", "week_calendar", "day_calendar"),
        _CALENDAR,
    ),
}
# Wagtail page types the door keeps the same way (by model label; each tag formatted with the page):
# the market's pages show product cards with add-to-basket forms, so the in-app page cache (which
# would keep a token) does not take them. A product or its stock refreshes "market" and its
# producers' tags (commerce/receivers.py); a publish refreshes every page (edge.front_door.PAGES_TAG).
FRONT_DOOR_SHARED_PAGES = {
    "commerce.marketpage": ("market",),
    "commerce.producerpage": ("producer:{page.partner_id}",),
}
# A form posted from such a page without its token (no script ran) goes back to the page to be sent again.
CSRF_FAILURE_VIEW = "home.views.csrf_failure"
