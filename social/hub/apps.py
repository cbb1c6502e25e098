"""App config for the hub: connects the inbox receiver to federation's signal and notes to the outbox."""

from django.apps import AppConfig


class HubConfig(AppConfig):
    name = "social.hub"
    label = "hub"
    verbose_name = "Social hub"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from social.federation import signals as federation_signals
        from social.federation.outbox import outbox_source_register

        from . import behaviors, outbox, receivers

        del behaviors  # imported for its side effect: registering the hub_send behavior

        federation_signals.activity_received.connect(
            receivers.on_activity_received, dispatch_uid="hub.on_activity_received"
        )
        outbox_source_register("hub_notes", outbox.note_outbox_entries)
