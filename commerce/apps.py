"""App config for commerce."""

from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "commerce"
    default_auto_field = "django.db.models.BigAutoField"
