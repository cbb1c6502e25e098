"""Settings shared by every environment; deploy-varying values come from the environment."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured
from oscar.defaults import *

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

# The public base URL. Absolute links, both Site rows and (later) ActivityPub ids derive from it.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.hostname:
    raise ImproperlyConfigured(f"SITE_URL must be an absolute http(s) URL, got {SITE_URL!r}")
SITE_HOST = _site.netloc  # host[:port], as WebFinger and Site.domain want it
SITE_NAME = env("SITE_NAME", default="Rose Ash Cooperative")
WAGTAILADMIN_BASE_URL = SITE_URL
SITE_ID = 1

INSTALLED_APPS = [
    # our apps first so their templates win over the libraries'
    "accounts",
    "home",
    "edge",
    "durable",
    "cms",
    "commerce",
    "events",
    "social",
    "social.federation",
    "social.hub",
    # Wagtail
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.contrib.search_promotions",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    # Django
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.sitemaps",
    # Oscar (forks of ours replace entries here as later issues add them)
    "oscar.config.Shop",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "commerce.checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "commerce.shipping.apps.ShippingConfig",
    "oscar.apps.catalogue.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "commerce.partner.apps.PartnerConfig",
    "commerce.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "oscar.apps.order.apps.OrderConfig",
    "oscar.apps.customer.apps.CustomerConfig",
    "commerce.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "oscar.apps.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "oscar.apps.dashboard.orders.apps.OrdersDashboardConfig",
    "oscar.apps.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "widget_tweaks",
    "haystack",
    "treebeard",
    "sorl.thumbnail",
    "django_tables2",
    # calendar and SSO
    "schedule",
    "oauth2_provider",
    # sign-in lockout
    "axes",
    # operations: health probes, metrics, request ids (see the "operations" block below)
    "ops",
    "django_prometheus",
]

MIDDLEWARE = [
    # First: /healthz, /readyz and /metrics answer before host checks, HTTPS redirects and metrics.
    "ops.middleware.OperationsEndpointsMiddleware",
    "ops.middleware.MalformedContentLengthMiddleware",
    "ops.request_id.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    "social.federation.middleware.ActivityPubNegotiationMiddleware",
    # Answers a locked-out sign-in with the lockout page (axes wants to see the login view's response).
    "axes.middleware.AxesMiddleware",
    # Labels each response (status, view) for /metrics; above the page cache so its hits count too.
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, so everything above still wraps a cached response (see cms/page_cache.py).
    "cms.page_cache.AnonymousPageCacheMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project templates first: they replace Oscar's and django-scheduler's base templates.
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "django.template.context_processors.static",
                "wagtail.contrib.settings.context_processors.settings",
                "commerce.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
                "home.context_processors.site",
            ],
        },
    },
]

# --- data stores -------------------------------------------------------------------------------
DATABASE_URL = env("DATABASE_URL", default="")
if DATABASE_URL:
    _scheme = urlsplit(DATABASE_URL).scheme
    if _scheme not in ("postgres", "postgresql", "pgsql", "sqlite"):
        raise ImproperlyConfigured(
            f"DATABASE_URL must be a postgres:// or sqlite:// URL, got scheme {_scheme!r}"
        )
    try:
        DATABASES = {"default": env.db_url_config(DATABASE_URL)}
    except Exception as exc:  # environ raises several types; one clear line is what operators need
        raise ImproperlyConfigured(f"DATABASE_URL is not a usable database URL: {exc}") from None
else:
    VAR_DIR.mkdir(exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": VAR_DIR / "db.sqlite3",
            # IMMEDIATE: each (per-request) transaction takes the write lock up front and waits for it;
            # deferred ones fail at once with "database is locked" when two requests write together
            # (Wagtail 8 autosaves and refreshes the preview side by side).
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = True
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DJANGO_CONN_MAX_AGE", default=0))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USING_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")

REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL and urlsplit(REDIS_URL).scheme not in ("redis", "rediss", "unix"):
    raise ImproperlyConfigured(
        f"REDIS_URL must be a redis://, rediss:// or unix:// URL, got scheme {urlsplit(REDIS_URL).scheme!r}"
    )
# The cache may live in its own Redis (REDIS_CACHE_URL): one bounded with LRU eviction, while the
# broker's must never evict a queued task (docker/compose.yml runs the two so). Defaults to REDIS_URL.
REDIS_CACHE_URL = env("REDIS_CACHE_URL", default="") or REDIS_URL
if REDIS_CACHE_URL and urlsplit(REDIS_CACHE_URL).scheme not in ("redis", "rediss", "unix"):
    raise ImproperlyConfigured(
        "REDIS_CACHE_URL must be a redis://, rediss:// or unix:// URL, "
        f"got scheme {urlsplit(REDIS_CACHE_URL).scheme!r}"
    )
if REDIS_CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_CACHE_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="coop"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- operations: shared state for more than one host ------------------------------------------
# Sessions live in Redis (the persistent one: REDIS_URL, append-only in docker/compose.yml), under
# their own alias, so any web host serves any member and flushing the page cache logs nobody out.
if REDIS_URL:
    CACHES["sessions"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("SESSION_KEY_PREFIX", default="coop-session"),
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    SESSION_CACHE_ALIAS = "sessions"
# --- end operations: shared state --------------------------------------------------------------

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

# --- Celery ------------------------------------------------------------------------------------
# Without Redis the tasks run in-process (eagerly), so a fresh checkout needs no broker.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True  # a task killed mid-run is redelivered; our tasks are idempotent
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE: dict = {}
# Wagtail's scheduled publishing (go-live / expiry times set by editors).
CELERY_BEAT_SCHEDULE["cms-publish-scheduled"] = {"task": "cms.publish_scheduled", "schedule": 60.0}
# The one runner's sweep (durable/runner.py): every due or stalled row of every stateful model
# (product imports, event reminders, ...) is leased and handed to a `durable.advance` task.
CELERY_BEAT_SCHEDULE["durable-sweep"] = {
    "task": "durable.sweep",
    "schedule": env.float("DURABLE_SWEEP_INTERVAL_SECONDS", default=30.0),
}

# --- operations: a beat that is safe to run twice ---------------------------------------------
# With Redis, celery-redbeat keeps the schedule in Redis behind a lock: a second beat (`--scale
# beat=2`, or one per host) waits on the lock as a hot standby and takes over when the holder stops
# renewing it, so every entry is sent once per interval. Without Redis, Celery's file scheduler.
if REDIS_URL:
    CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
    CELERY_REDBEAT_REDIS_URL = REDIS_URL
    CELERY_REDBEAT_KEY_PREFIX = env("CELERY_REDBEAT_KEY_PREFIX", default="redbeat:")
    # The holder renews the lock every loop; a standby takes over this long after the holder died.
    CELERY_BEAT_MAX_LOOP_INTERVAL = env.int("CELERY_BEAT_MAX_LOOP_INTERVAL", default=10)
    CELERY_REDBEAT_LOCK_TIMEOUT = env.int("CELERY_REDBEAT_LOCK_TIMEOUT", default=60)
# --- end operations: beat ----------------------------------------------------------------------

# --- social: the behavior DAG and its flow log -------------------------------------------------
# Page models whose publish/unpublish/delete run behaviors (resolved lazily: cms never imports social).
SOCIAL_FEDERATED_PAGE_MODELS = env.list(
    "SOCIAL_FEDERATED_PAGE_MODELS", default=["cms.BlogPostPage", "events.EventPage"]
)
SOCIAL_TRIGGERS = env("SOCIAL_TRIGGERS", default="social.triggers.PageLifecycleTriggers")
SOCIAL_TRANSPORT = env("SOCIAL_TRANSPORT", default="social.federation.transport.ActivityPubTransport")
# In-process after the publish commits when tasks are eager; otherwise each step is a Celery task.
SOCIAL_FLOW_RUNNER = env(
    "SOCIAL_FLOW_RUNNER",
    default="social.engine.InProcessRunner" if CELERY_TASK_ALWAYS_EAGER else "social.engine.CeleryRunner",
)
# A flow that has not moved for this long is resumed by the sweep (and a step claim this old is void).
SOCIAL_FLOW_STALL_SECONDS = env.int("SOCIAL_FLOW_STALL_SECONDS", default=120)
SOCIAL_STEP_MAX_ATTEMPTS = env.int("SOCIAL_STEP_MAX_ATTEMPTS", default=5)
CELERY_BEAT_SCHEDULE["social-flows-resume-stalled"] = {
    "task": "social.tasks.flows_resume_stalled_task",
    "schedule": env.float("SOCIAL_SWEEP_INTERVAL_SECONDS", default=60.0),
}
# --- outbound HTTP to URLs others chose (edge/http.py: federation, WebFinger, Ghost images, imports) ---
# Only global unicast addresses are reached, besides these networks (CIDR list; loopback in dev/test).
EDGE_ALLOWED_NETWORKS = env.list("EDGE_ALLOWED_NETWORKS", default=[])
EDGE_FETCH_DEADLINE_SECONDS = env.float("EDGE_FETCH_DEADLINE_SECONDS", default=10.0)  # connect + every read
EDGE_CONNECT_TIMEOUT = 5.0
EDGE_FETCH_MAX_BYTES = 1_000_000
# --- federation (ActivityPub, social/federation) ----------------------------------------------
SOCIAL_AUTHOR_MODEL = env("SOCIAL_AUTHOR_MODEL", default="cms.Author")
FEDERATION_MANUAL_APPROVAL = env.bool("FEDERATION_MANUAL_APPROVAL", default=False)
FEDERATION_HOST_DEAD_AFTER = env.int("FEDERATION_HOST_DEAD_AFTER", default=7 * 24 * 3600)
FEDERATION_DELIVERY_GIVE_UP_AFTER = env.int("FEDERATION_DELIVERY_GIVE_UP_AFTER", default=3 * 24 * 3600)
FEDERATION_MAX_INBOX_BYTES = 1_000_000
CELERY_BEAT_SCHEDULE["federation-deliveries-due"] = {"task": "federation.deliveries_due", "schedule": 60.0}
# --- social hub (social/hub) ------------------------------------------------------------------
# The hub sends its own activities (follows, likes, boosts, notes: object keys "hub:…") as built and
# hands every other activity to the transport configured above.
SOCIAL_HUB_NEXT_TRANSPORT = SOCIAL_TRANSPORT
SOCIAL_TRANSPORT = "social.hub.transport.HubTransport"
HUB_TIMELINE_RETENTION_DAYS = env.int("HUB_TIMELINE_RETENTION_DAYS", default=30)
HUB_DIGEST_EMAILS = env.list("HUB_DIGEST_EMAILS", default=[])  # empty: no email digest
HUB_WEBFINGER_ALLOW_HTTP = env.bool("HUB_WEBFINGER_ALLOW_HTTP", default=False)  # local development only
CELERY_BEAT_SCHEDULE["hub-timeline-prune"] = {
    "task": "social.hub.tasks.timeline_prune_task",
    "schedule": 3600.0,
}
CELERY_BEAT_SCHEDULE["hub-notifications-digest"] = {
    "task": "social.hub.tasks.notifications_digest_task",
    "schedule": env.float("HUB_DIGEST_INTERVAL_SECONDS", default=24 * 3600.0),
}
CELERY_BEAT_SCHEDULE["events-waiting-list-offers"] = {
    "task": "events.tasks.expire_waiting_list_offers",
    "schedule": 300.0,
}
CELERY_BEAT_SCHEDULE["events-refunds-owed"] = {"task": "events.tasks.refunds_owed_resume", "schedule": 900.0}

# --- auth --------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out email or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/account/login/"
# One obvious place to log in: the Wagtail admin sends people to the site's own login page too.
WAGTAILADMIN_LOGIN_URL = LOGIN_URL
# Sign-in throttling by django-axes: failed attempts on any login form are counted per email and,
# separately, per client address; either reaching the limit locks it out for the window. Counts live
# in the default cache (Redis in production) so every web process sees them; a success clears them.
AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env.int("ACCOUNTS_LOGIN_MAX_FAILURES", default=5)
AXES_COOLOFF_TIME = timedelta(seconds=env.int("ACCOUNTS_LOGIN_WINDOW_SECONDS", default=15 * 60))
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.signin.signin_username"
AXES_CLIENT_IP_CALLABLE = "accounts.signin.signin_client_address"
AXES_LOCKOUT_TEMPLATE = "axes/lockout.html"
AXES_VERBOSE = False  # no start-up banner on every manage.py command and worker
# One email-change request (its two mails) per account per this many seconds; 0 turns the limit off.
ACCOUNTS_EMAIL_CHANGE_INTERVAL_SECONDS = env.int("ACCOUNTS_EMAIL_CHANGE_INTERVAL_SECONDS", default=10 * 60)
if not REDIS_CACHE_URL:
    # Without Redis each process counts in its own locmem cache: right for the one-process dev
    # server and the tests. Production refuses to start without REDIS_URL, so there the check stays.
    SILENCED_SYSTEM_CHECKS = ["axes.W001"]
# How many reverse proxies we run in front of the app (0: REMOTE_ADDR is the client's address).
ACCOUNTS_TRUSTED_PROXIES = env.int("ACCOUNTS_TRUSTED_PROXIES", default=0)
# A newsletter still "sending" with no new claim for this long had its worker die: beat restarts it.
ACCOUNTS_NEWSLETTER_STALL_SECONDS = env.int("ACCOUNTS_NEWSLETTER_STALL_SECONDS", default=120)
# The mail provider's bounce/complaint webhook (/account/newsletters/mail-events/) signs with this
# shared secret; unset, the endpoint is off. Reports older than the max age are refused as replays.
ACCOUNTS_MAIL_EVENTS_SECRET = env("ACCOUNTS_MAIL_EVENTS_SECRET", default="")
ACCOUNTS_MAIL_EVENTS_MAX_AGE_SECONDS = env.int("ACCOUNTS_MAIL_EVENTS_MAX_AGE_SECONDS", default=300)
CELERY_BEAT_SCHEDULE["accounts-newsletters-resume"] = {
    "task": "accounts.tasks.newsletter_resume_stalled",
    "schedule": 60.0,
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_COOKIE_AGE", default=60 * 60 * 24 * 14)
LOGIN_REDIRECT_URL = "/"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- i18n / static / media ---------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = env("DJANGO_TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = env("DJANGO_STATIC_ROOT", default=str(VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env("DJANGO_MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# --- operations: media on S3-compatible object storage (django-storages) ------------------------
# With a bucket configured, uploads (Wagtail images and documents, Oscar product images) and their
# renditions go to the bucket, so every web host and worker sees the same files; the filesystem
# under MEDIA_ROOT otherwise. Any S3-compatible store works (AWS, MinIO, Garage, Scaleway...).
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default="") or None,  # None: AWS itself
            "region_name": env("AWS_S3_REGION_NAME", default="") or None,
            "access_key": env("AWS_S3_ACCESS_KEY_ID", default="") or None,  # None: boto3's own chain
            "secret_key": env("AWS_S3_SECRET_ACCESS_KEY", default="") or None,
            # Served under the proxy's or CDN's host when set, else the endpoint's bucket URL.
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN", default="") or None,
            # Media is public (pages link to it): plain URLs that the front door can cache.
            "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
            "default_acl": None,  # the bucket's policy decides, not a per-object ACL
            "file_overwrite": False,  # two uploads named alike keep both files
        },
    }
# --- end operations: media ---------------------------------------------------------------------

# --- email -------------------------------------------------------------------------------------
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <noreply@{_site.hostname}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Wagtail -----------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = SITE_NAME
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILIMAGES_IMAGE_MODEL = "wagtailimages.Image"
# Wagtail's default, written out because the front door refuses larger bodies with the same number.
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default: form fields beside the upload
# The admin shows its own default avatar instead of asking gravatar.com (editors' email hashes stay here).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL

# --- Oscar -------------------------------------------------------------------------------------
OSCAR_SHOP_NAME = SITE_NAME
OSCAR_SHOP_TAGLINE = "Market"
OSCAR_DEFAULT_CURRENCY = "GBP"
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL
OSCAR_ALLOW_ANON_CHECKOUT = True
OSCAR_URL_SCHEMA = _site.scheme
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
# The catalogue's facets: by category and by kind of product, named as staff named them (see
# commerce/search/search_indexes.py). No rating facet: the cooperative does not use reviews.
OSCAR_SEARCH_FACETS = {
    "fields": {
        "category_name": {"name": "Category", "field": "category_name"},
        "product_class": {"name": "Type", "field": "product_class"},
    },
    "queries": {},
}
# Product editors import products from the dashboard's Catalogue menu. The view is commerce's, which
# Oscar's permission lookup (by dashboard app) cannot find, so the entry asks the view's own check.
from commerce.permissions import product_import_allowed  # noqa: E402  imports no models at load

next(
    menu
    for menu in OSCAR_DASHBOARD_NAVIGATION
    if any(child.get("url_name") == "dashboard:catalogue-product-list" for child in menu.get("children", []))
)["children"].append(
    {
        "label": "Import products",
        "url_name": "commerce:product-import-list",
        "access_fn": product_import_allowed,
    }
)
# Payments paid without an order (refunded or not) wait for staff under Orders.
next(
    menu
    for menu in OSCAR_DASHBOARD_NAVIGATION
    if any(child.get("url_name") == "dashboard:order-list" for child in menu.get("children", []))
)["children"].append(
    {
        "label": "Payments needing attention",
        "url_name": "commerce:payment-attention",
        "access_fn": lambda user, *args, **kwargs: user.has_perm("order.change_order"),
    }
)
# Oscar browses its catalogue through Haystack; Whoosh keeps the index in a local folder with no service.
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
        "PATH": env("HAYSTACK_WHOOSH_PATH", default=str(VAR_DIR / "whoosh")),
    }
}

# --- SumUp (commerce) --------------------------------------------------------------------------
# The defaults point at our fake SumUp server (commerce/sumup_fake, started by `make run`);
# production.py requires real values.
SUMUP_API_URL = env("SUMUP_API_URL", default="http://127.0.0.1:8140").rstrip("/")
SUMUP_API_KEY = env("SUMUP_API_KEY", default="sup_sk_dev_fake")
SUMUP_MERCHANT_CODE = env("SUMUP_MERCHANT_CODE", default="MDEVFAKE")
SUMUP_WEBHOOK_SECRET = env("SUMUP_WEBHOOK_SECRET", default="dev-only-webhook-secret")
# A SumUp checkout can be paid for this long (SumUp is told, as valid_until); then its stock is freed.
SUMUP_CHECKOUT_VALID_MINUTES = env.int("SUMUP_CHECKOUT_VALID_MINUTES", default=30)
CELERY_BEAT_SCHEDULE["commerce-payments-sweep"] = {"task": "commerce.payments_sweep", "schedule": 120.0}

# --- OAuth2 / OpenID Connect -------------------------------------------------------------------
# Named so our own models (accounts.SpentAuthorizationCode) can point at the swappable client model.
OAUTH2_PROVIDER_APPLICATION_MODEL = "oauth2_provider.Application"
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": env("OIDC_RSA_PRIVATE_KEY", default=""),
    "OIDC_ISS_ENDPOINT": f"{SITE_URL}/o",
    "PKCE_REQUIRED": True,
    "ALLOWED_CODE_CHALLENGE_METHODS": ["S256"],
    "SCOPES": {"openid": "OpenID Connect", "profile": "Your name", "email": "Your email address"},
    "OAUTH2_VALIDATOR_CLASS": "accounts.oidc.ClaimsValidator",
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    # Key rotation: the previous signing keys (PEM, separated by blank-line-free "|||") stay in the JWKS.
    "OIDC_RSA_PRIVATE_KEYS_INACTIVE": [
        pem for pem in env("OIDC_RSA_PRIVATE_KEYS_INACTIVE", default="").split("|||") if pem.strip()
    ],
    # RP-initiated logout (end_session_endpoint /o/logout/): a sibling app that sends the member's id
    # token logs them out here too, and their tokens go; without a matching id token we ask first.
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OIDC_RP_INITIATED_LOGOUT_STRICT_REDIRECT_URIS": True,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    # Adopt the OAuth 2.0 Security BCP (RFC 9700) now rather than when the library flips its defaults.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
}

# --- django-scheduler --------------------------------------------------------------------------
FIRST_DAY_OF_WEEK = 1
# django-scheduler calls these directly (not dotted paths); events.permissions imports no models at load.
from events.permissions import (  # noqa: E402, F401, I001  settings names django-scheduler reads
    calendar_editable_by as CHECK_CALENDAR_PERM_FUNC,
    event_editable_by as CHECK_EVENT_PERM_FUNC,
    occurrence_editable_by as CHECK_OCCURRENCE_PERM_FUNC,
    scheduler_events as GET_EVENTS_FUNC,
)

EVENTS_WAITING_OFFER_HOURS = env.int("EVENTS_WAITING_OFFER_HOURS", default=24)
EVENTS_REMINDER_HOURS = env.int("EVENTS_REMINDER_HOURS", default=24)

# --- operations: health, metrics (ops/) ---------------------------------------------------------
# /metrics answers these networks (Prometheus on the internal network) or a bearer token; others 403.
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
METRICS_TOKEN = env("METRICS_TOKEN", default="")
# A SumUp hosted checkout still pending after this long is counted as stuck on /metrics.
COMMERCE_PAYMENT_STUCK_SECONDS = env.int("COMMERCE_PAYMENT_STUCK_SECONDS", default=3600)
# --- end operations ----------------------------------------------------------------------------

# --- operations: logs (ops/request_id.py) -------------------------------------------------------
# "json" (production's default): one JSON object per line for the log collector; "plain" for people.
# Every record carries request_id: the X-Request-ID of the request that caused it, through Celery.
LOG_FORMAT = env("DJANGO_LOG_FORMAT", default="plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ops.request_id.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "oscar.alerts": {"level": "WARNING"},
        "axes": {"level": "WARNING"},  # lockouts are warnings; every login and reset would be noise
    },
}
# The worker and beat log through LOGGING above (JSON, request ids) instead of Celery's own handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Errors to Sentry when a DSN is set; the SDK is imported only then.
SENTRY_DSN = env("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env("SENTRY_ENVIRONMENT", default="production"),
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,  # members' emails and addresses stay here
    )
# --- end operations: logs ----------------------------------------------------------------------

# Each app seeds its own demo content; order matters (accounts before the things they own).
DEMO_SEEDERS = [
    "accounts.demo.seed",
    "home.demo.seed",
    "cms.demo.seed",
    "commerce.demo.seed",
    "events.demo.seed",
    "social.demo.seed",
    "social.hub.demo.seed",
]
