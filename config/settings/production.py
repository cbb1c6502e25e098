"""Production: refuses to start without its secrets; everything else comes from the environment."""

from django.core.exceptions import ImproperlyConfigured

from .base import *
from .base import DATABASE_URL, DATABASES, LOGGING, OAUTH2_PROVIDER, REDIS_URL, SITE_URL, STORAGES, env

_required = {
    "DJANGO_SECRET_KEY": env("DJANGO_SECRET_KEY", default=""),
    "DJANGO_ALLOWED_HOSTS": env("DJANGO_ALLOWED_HOSTS", default=""),
    "DATABASE_URL": DATABASE_URL,
    "REDIS_URL": REDIS_URL,
    "SITE_URL": env("SITE_URL", default=""),
    "OIDC_RSA_PRIVATE_KEY": OAUTH2_PROVIDER["OIDC_RSA_PRIVATE_KEY"],
    # SumUp takes the market's payments: without these the shop would start and fail at checkout.
    "SUMUP_API_KEY": env("SUMUP_API_KEY", default=""),
    "SUMUP_MERCHANT_CODE": env("SUMUP_MERCHANT_CODE", default=""),
    "SUMUP_WEBHOOK_SECRET": env("SUMUP_WEBHOOK_SECRET", default=""),
}
_missing = sorted(name for name, value in _required.items() if not value)
if _missing:
    raise ImproperlyConfigured(f"production settings need these environment variables: {', '.join(_missing)}")
if len(_required["DJANGO_SECRET_KEY"]) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be at least 50 characters")

# SumUp: the real API, never the development fake; its secrets are required above.
SUMUP_API_URL = env("SUMUP_API_URL", default="https://api.sumup.com").rstrip("/")
SUMUP_API_KEY = _required["SUMUP_API_KEY"]
SUMUP_MERCHANT_CODE = _required["SUMUP_MERCHANT_CODE"]
SUMUP_WEBHOOK_SECRET = _required["SUMUP_WEBHOOK_SECRET"]
# SumUp's hosted pay page (the hosted_checkout_url it returns), allowed as a form-action target.
SUMUP_HOSTED_CHECKOUT_ORIGIN = env(
    "SUMUP_HOSTED_CHECKOUT_ORIGIN", default="https://checkout.sumup.com"
).rstrip("/")

# A connection per request costs more than the inbox's whole signature check (78 vs 205+ signed
# Likes/s in bench/federation_inbox.py): keep each worker's connection, checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEBUG = False
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = [SITE_URL]
OSCAR_BASKET_COOKIE_SECURE = True
# Media stays where base.py put it (the filesystem, or the S3 bucket when one is configured).
STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}
EMAIL_BACKEND = env("DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("DJANGO_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("DJANGO_EMAIL_PORT", default=25)

# Loopback http redirect URIs are for development clients only.
OAUTH2_PROVIDER["ALLOWED_REDIRECT_URI_SCHEMES"] = ["https"]

# One JSON object per log line for the collector, unless DJANGO_LOG_FORMAT=plain says otherwise.
LOGGING["handlers"]["console"]["formatter"] = env("DJANGO_LOG_FORMAT", default="json")
