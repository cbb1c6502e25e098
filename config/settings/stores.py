"""Data stores: the database (DATABASE_URL or SQLite under var/), Redis, the caches and sessions."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .site import VAR_DIR, env

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
