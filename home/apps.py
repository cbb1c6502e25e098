"""App config for home: keeps Django's and Wagtail's Site rows in step with SITE_URL; the URL converters."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class HomeConfig(AppConfig):
    name = "home"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .converters import converters_register
        from .receivers import on_post_migrate

        converters_register()  # before any URLconf (ours, Wagtail hooks') is built

        post_migrate.connect(on_post_migrate, sender=self)
