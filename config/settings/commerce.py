"""Oscar (the shop under /shop/), its dashboard menu entries, its catalogue's search, and SumUp."""

from urllib.parse import urlsplit

from oscar.defaults import OSCAR_DASHBOARD_NAVIGATION

from commerce.permissions import product_import_allowed  # imports no models at load

from .site import DEFAULT_FROM_EMAIL, SITE_NAME, SITE_URL, env

# --- Oscar -------------------------------------------------------------------------------------
OSCAR_SHOP_NAME = SITE_NAME
OSCAR_SHOP_TAGLINE = "Market"
OSCAR_DEFAULT_CURRENCY = "GBP"
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL
OSCAR_ALLOW_ANON_CHECKOUT = True
# Oscar's back-in-stock receiver mails inside the stock change's transaction: ours (commerce.alerts)
# mails after commit.
OSCAR_EAGER_ALERTS = False
OSCAR_URL_SCHEMA = urlsplit(SITE_URL).scheme
# An order is placed only once SumUp reports it paid. Staff then move it along in the dashboard, and
# the customer is emailed at each step (commerce/order_status.py).
OSCAR_INITIAL_ORDER_STATUS = "Paid"
OSCAR_ORDER_STATUS_PIPELINE = {
    "Paid": ("Ready for collection", "Dispatched", "Cancelled", "Refunded"),
    "Ready for collection": ("Collected", "Cancelled", "Refunded"),
    "Dispatched": ("Refunded",),
    "Collected": ("Refunded",),
    "Cancelled": ("Refunded",),
    "Refunded": (),
}
# Lines follow their order (Oscar's dashboard also lets staff move one line on its own).
OSCAR_INITIAL_LINE_STATUS = OSCAR_INITIAL_ORDER_STATUS
OSCAR_LINE_STATUS_PIPELINE = OSCAR_ORDER_STATUS_PIPELINE
OSCAR_ORDER_STATUS_CASCADE = {status: status for status in OSCAR_ORDER_STATUS_PIPELINE}
# The cooperative takes no product reviews: Oscar hides their stars, links and pages (its catalogue's
# review URLs are not served) and the dashboard's menu leaves them out, unless SHOP_REVIEWS=true.
SHOP_REVIEWS = env.bool("SHOP_REVIEWS", default=False)
OSCAR_HIDDEN_FEATURES = [] if SHOP_REVIEWS else ["reviews"]
# The catalogue's facets: by category and by kind of product, named as staff named them, counted
# in SQL (commerce/search/facets.py). No rating facet: the cooperative does not use reviews.
OSCAR_SEARCH_FACETS = {
    "fields": {
        "category_name": {"name": "Category", "field": "category_name"},
        "product_class": {"name": "Type", "field": "product_class"},
    },
    "queries": {},
}


def _dashboard_menu_holding(url_name: str) -> list[dict]:
    """The entries of the dashboard menu that holds Oscar's page `url_name` (its place, not its label,
    which a translation changes)."""
    return next(
        menu["children"]
        for menu in OSCAR_DASHBOARD_NAVIGATION
        if any(child.get("url_name") == url_name for child in menu.get("children", []))
    )


# Product editors import products from the dashboard's Catalogue menu. The view is commerce's, which
# Oscar's permission lookup (by dashboard app) cannot find, so the entry asks the view's own check.
_dashboard_menu_holding("dashboard:catalogue-product-list").append(
    {
        "label": "Import products",
        "url_name": "commerce:product-import-list",
        "access_fn": product_import_allowed,
    }
)
# Payments paid without an order (refunded or not) wait for staff under Orders.
_dashboard_menu_holding("dashboard:order-list").append(
    {
        "label": "Payments needing attention",
        "url_name": "commerce:payment-attention",
        "access_fn": lambda user, *args, **kwargs: user.has_perm("order.change_order"),
    }
)
if not SHOP_REVIEWS:
    _reviews_menu = _dashboard_menu_holding("dashboard:reviews-list")
    _reviews_menu[:] = [child for child in _reviews_menu if child.get("url_name") != "dashboard:reviews-list"]
# The catalogue browses in SQL (commerce/search) and the site search is sitesearch/: no index files,
# nothing a second web host would not see. Haystack is not an installed app, but Oscar 4.2's own
# search modules, which Oscar imports beside our replacements, import it, and it refuses to load
# without a connection: the simple engine keeps no index and is never queried.
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
# Oscar's /shop/search/ shows the one site search, on its products.
SHOP_SEARCH_VIEW = "sitesearch.views.search_products"

# --- SumUp (commerce) --------------------------------------------------------------------------
# The defaults point at our fake SumUp server (commerce/sumup_fake, started by `make run`);
# production.py requires real values.
SUMUP_API_URL = env("SUMUP_API_URL", default="http://127.0.0.1:8140").rstrip("/")
# One SumUp API call, connect to last byte, whatever the server drips (edge.httpx_transport).
SUMUP_TIMEOUT = env.float("SUMUP_TIMEOUT", default=15.0)
SUMUP_API_KEY = env("SUMUP_API_KEY", default="sup_sk_dev_fake")
SUMUP_MERCHANT_CODE = env("SUMUP_MERCHANT_CODE", default="MDEVFAKE")
SUMUP_WEBHOOK_SECRET = env("SUMUP_WEBHOOK_SECRET", default="dev-only-webhook-secret")
# A SumUp checkout can be paid for this long (SumUp is told, as valid_until); then its stock is freed.
SUMUP_CHECKOUT_VALID_MINUTES = env.int("SUMUP_CHECKOUT_VALID_MINUTES", default=30)
# Where "Place order" sends the shopper (SumUp's hosted pay page); empty: SUMUP_API_URL's origin,
# read per request, as our fake serves the pay page beside its API (home/csp.py, form-action).
SUMUP_HOSTED_CHECKOUT_ORIGIN = env("SUMUP_HOSTED_CHECKOUT_ORIGIN", default="")
