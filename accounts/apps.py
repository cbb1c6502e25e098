"""App config for accounts: connects the receivers and the dashboard sections accounts owns."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed

        from .integrations import register_events_sections
        from .receivers import on_login_failed

        user_login_failed.connect(on_login_failed, dispatch_uid="accounts.login_failed")
        register_events_sections()
