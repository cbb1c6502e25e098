"""Operations: who may read /metrics, the log format (JSON lines with request ids) and Sentry."""

from .site import env

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
