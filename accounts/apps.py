"""App config for accounts: registers the dashboard sections accounts owns."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .integrations import register_commerce_erasers, register_events_sections

        register_events_sections()
        register_commerce_erasers()
