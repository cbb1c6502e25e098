"""Settings shared by every environment; deploy-varying values come from the environment."""

from datetime import timedelta

from oscar.defaults import *

from .site import *  # where the site lives, what it is called and who its mail is from: includes read it

SECRET_KEY = env("DJANGO_SECRET_KEY", default="dev-only-insecure-key-never-used-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
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
    "sitesearch",
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
    "cms.wagtail_admin.WagtailAdminConfig",  # wagtail.admin, its moderation emails after commit
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
    # Content-Security-Policy header (its checks catch pre-4.0 settings); see home/csp.py
    "csp",
]

MIDDLEWARE = [
    # First: /healthz, /readyz and /metrics answer before host checks, HTTPS redirects and metrics.
    "ops.middleware.OperationsEndpointsMiddleware",
    "ops.middleware.MalformedContentLengthMiddleware",
    "ops.request_id.RequestIdMiddleware",
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Right after SecurityMiddleware, as WhiteNoise asks: it answers static files with its own
    # compressed copies, ETags and 304s. Above GZipMiddleware, which would compress an image again
    # and weaken its ETag to W/"…", which WhiteNoise's exact If-None-Match check then never matched.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Pages leave compressed for a client that takes gzip: the front door asks for gzip when it may
    # keep the answer, so it stores and serves the compressed bytes without compressing per request.
    "django.middleware.gzip.GZipMiddleware",
    # Below GZip, as Django's docs order them: the ETag is the page's own bytes' (GZip weakens it
    # when it compresses), so a revisit of an unchanged page is a 304 whichever way it came.
    "django.middleware.http.ConditionalGetMiddleware",
    # Above the page cache, so a cached page gets the header too (see home/csp.py).
    "home.csp.SiteCSPMiddleware",
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
    # Marks Oscar's catalogue and the calendar's pages for the front door (edge/front_door.py).
    "edge.front_door.FrontDoorSharedViewsMiddleware",
    # Last, so everything above still wraps a cached response (see edge/page_cache.py).
    "edge.page_cache.AnonymousPageCacheMiddleware",
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
                # After Django's own CSRF processor: pages the front door shares carry no token.
                "edge.context_processors.csrf_for_shared_pages",
            ],
        },
    },
]

from .caching import *  # the in-app page cache and the front door: what they keep, how they are purged
from .stores import *  # the database, Redis, caches and sessions

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
from .celery_beat import *  # every app's beat entries but social's (config/settings/social.py)

# The one runner's sweep (durable/runner.py): every due or stalled row of every stateful model
# (product imports, event reminders, ...) is leased and handed to a `durable.advance` task.
CELERY_BEAT_SCHEDULE["durable-sweep"] = {
    "task": "durable.sweep",
    "schedule": env.float("DURABLE_SWEEP_INTERVAL_SECONDS", default=30.0),
}
# Each row's history (durable.Transition) is kept this many days, pruned by the sweep; 0 keeps it all.
DURABLE_TRANSITIONS_KEEP_DAYS = env.int("DURABLE_TRANSITIONS_KEEP_DAYS", default=90)

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

# --- social (the behavior DAG, federation, the hub): config/settings/social.py ------------------
# In-process after the publish commits when tasks are eager; otherwise each step is a Celery task.
SOCIAL_FLOW_RUNNER = env(
    "SOCIAL_FLOW_RUNNER",
    default="social.engine.InProcessRunner" if CELERY_TASK_ALWAYS_EAGER else "social.runners.CeleryRunner",
)
from .social import *  # its settings and its beat entries

# --- outbound HTTP to URLs others chose (edge/http.py: federation, WebFinger, Ghost images, imports) ---
# Only global unicast addresses are reached, besides these networks (CIDR list; loopback in dev/test).
EDGE_ALLOWED_NETWORKS = env.list("EDGE_ALLOWED_NETWORKS", default=[])
EDGE_FETCH_DEADLINE_SECONDS = env.float("EDGE_FETCH_DEADLINE_SECONDS", default=10.0)  # connect + every read
EDGE_CONNECT_TIMEOUT = 5.0
EDGE_FETCH_MAX_BYTES = 1_000_000

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
# The mail provider's bounce/complaint webhook (/account/newsletters/mail-events/) signs with this
# shared secret; unset, the endpoint is off. Reports older than the max age are refused as replays.
ACCOUNTS_MAIL_EVENTS_SECRET = env("ACCOUNTS_MAIL_EVENTS_SECRET", default="")
ACCOUNTS_MAIL_EVENTS_MAX_AGE_SECONDS = env.int("ACCOUNTS_MAIL_EVENTS_MAX_AGE_SECONDS", default=300)
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
            # Reading an object spools it to disk past 8 MiB (backups read every file; the default,
            # 0, keeps each whole object in memory).
            "max_memory_size": env.int("AWS_S3_MAX_MEMORY_SIZE", default=8 * 1024 * 1024),
        },
    }
# --- end operations: media ---------------------------------------------------------------------

# --- Wagtail -----------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = SITE_NAME
# Site search (sitesearch/): PostgreSQL full text in the site's language, stemmed ("baking" finds
# "baker's"), for pages through Wagtail's database backend and for products and events at query
# time; SQLite gets Wagtail's FTS5 index for pages and a plain LIKE for the rest. A different
# SEARCH_TEXT_CONFIG needs `manage.py update_index` once, as the pages' stored vectors use it.
_TEXT_SEARCH_CONFIGS = {"da": "danish", "de": "german", "en": "english", "es": "spanish", "fr": "french",
                        "it": "italian", "nl": "dutch", "pt": "portuguese", "sv": "swedish"}  # fmt: skip
SEARCH_TEXT_CONFIG = env("SEARCH_TEXT_CONFIG", default=_TEXT_SEARCH_CONFIGS.get(LANGUAGE_CODE[:2], "simple"))
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": SEARCH_TEXT_CONFIG}
}
WAGTAILIMAGES_IMAGE_MODEL = "wagtailimages.Image"
# Wagtail's default, written out because the front door refuses larger bodies with the same number.
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default: form fields beside the upload
# The admin shows its own default avatar instead of asking gravatar.com (editors' email hashes stay here).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
# Nor does a superuser's dashboard ask releases.wagtail.org for news: the admin's CSP (connect-src
# 'self') refuses it, and each visit logged the refusal as a console error. Upgrades are ours to plan.
WAGTAIL_ENABLE_UPDATE_CHECK = False
# One password reset, the site's (/account/password/reset/, mailed after commit): Wagtail's would mail
# from inside the request's transaction.
WAGTAIL_PASSWORD_RESET_ENABLED = False
WAGTAILADMIN_NOTIFICATION_FROM_EMAIL = DEFAULT_FROM_EMAIL
# oEmbed providers are asked through the edge (public addresses, one deadline, a size cap).
WAGTAILEMBEDS_FINDERS = [{"class": "cms.embeds_finder.EdgeOEmbedFinder"}]

from .commerce import *  # Oscar, its dashboard menu, its catalogue's search, and SumUp
from .oidc import *  # the OAuth2 / OpenID Connect provider sibling apps sign in through
from .operations import *  # metrics, logs and Sentry
from .scheduler import *  # django-scheduler's hooks and the events app's own numbers

# --- Content-Security-Policy (django-csp) -------------------------------------------------------
# Strict on every public page: our scripts and styles come from /static/ only, never inline, so a
# slip in the sanitiser can never run script. home/csp.py adds the SumUp pay page to form-action
# (checkout answers the form with a redirect there, which form-action also governs) and relaxes
# the admin screens (Wagtail's and Oscar's dashboards write inline script and style).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        # data: for Bootstrap's inline SVG icons; public pages show no remote (fediverse) image.
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    },
}
if AWS_STORAGE_BUCKET_NAME:
    # Media (product photos, page images) is served by the bucket or its CDN, not this host.
    _endpoint = urlsplit(env("AWS_S3_ENDPOINT_URL", default=""))
    _custom_domain = env("AWS_S3_CUSTOM_DOMAIN", default="")
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["img-src"].append(
        f"https://{_custom_domain}"
        if _custom_domain
        else (f"{_endpoint.scheme}://{_endpoint.netloc}" if _endpoint.netloc else "https://*.amazonaws.com")
    )


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
