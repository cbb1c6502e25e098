"""App config for the hub: connects the inbox receiver to federation's activity signal."""

from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "social.hub"
    label = "hub"
    verbose_name = "Social hub"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from social.federation import signals as federation_signals

        from . import behaviors, receivers

        del behaviors  # imported for its side effect: registering the hub_send behavior

        federation_signals.activity_received.connect(
            receivers.on_activity_received, dispatch_uid="hub.on_activity_received"
        )
