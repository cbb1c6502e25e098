"""Where the site lives, what it is called and who its mail comes from: base.py and every include read it."""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

# The public base URL. Absolute links, both Site rows and (later) ActivityPub ids derive from it.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.hostname:
    raise ImproperlyConfigured(f"SITE_URL must be an absolute http(s) URL, got {SITE_URL!r}")
SITE_HOST = _site.netloc  # host[:port], as WebFinger and Site.domain want it
SITE_NAME = env("SITE_NAME", default="Rose Ash Cooperative")

# --- email -------------------------------------------------------------------------------------
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# Seconds for each SMTP socket operation: Django's default is none, and a server that accepts and
# never answers would hold the worker (or the request) that sends forever.
EMAIL_TIMEOUT = env.float("DJANGO_EMAIL_TIMEOUT", default=20.0)
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <noreply@{_site.hostname}>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
