"""App config for accounts: registers the dashboard sections accounts owns."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import receivers, signals
        from .integrations import register_commerce_erasers, register_events_sections

        signals.account_email_wanted.connect(receivers.on_account_email_wanted, dispatch_uid="accounts.email")
        signals.newsletter_issue_queued.connect(
            receivers.on_newsletter_issue_queued, dispatch_uid="accounts.newsletter_send"
        )

        register_events_sections()
        register_commerce_erasers()
