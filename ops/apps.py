"""App config for ops: health probes, Prometheus metrics and request-id logging for operators."""

from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "ops"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .request_id import connect_celery_signals

        connect_celery_signals()
