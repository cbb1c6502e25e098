"""App config for events."""

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from oscar.apps.order.signals import order_placed

        from . import receivers

        order_placed.connect(receivers.on_order_placed, dispatch_uid="events.issue_tickets")
