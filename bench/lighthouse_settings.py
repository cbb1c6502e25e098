"""bench/lighthouse.py's settings: `make run`'s development settings, but static files served as in
production (hashed names, gzip and brotli variants, far-future caching by WhiteNoise), so that
Lighthouse measures the pages and not Django's development file serving. Media is still served by
Django (DEBUG), as production's front door would."""

from config.settings.dev import *  # noqa: F403
from config.settings.dev import STORAGES, VAR_DIR

STATIC_ROOT = str(VAR_DIR / "lighthouse" / "static")
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False
