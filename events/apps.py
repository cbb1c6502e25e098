"""App config for events."""

from django.apps import AppConfig, apps
from django.db.models.signals import post_delete, post_save


class EventsConfig(AppConfig):
    name = "events"
    default_auto_field = "django.db.models.BigAutoField"

    def import_models(self) -> None:
        super().import_models()
        # The Wagtail page models live in pages.py, which reads through selectors and display; importing
        # it here rather than from models.py keeps models at the bottom of the app's imports.
        # Durable rows live beside their handlers (reminders.py, refunds.py, waiting_list.py, notices.py),
        # imported the same way.
        from . import (
            notices,  # noqa: F401
            pages,  # noqa: F401
            refunds,  # noqa: F401
            reminders,  # noqa: F401
            waiting_list,  # noqa: F401
        )

    def ready(self) -> None:
        from oscar.apps.order.signals import order_placed

        from commerce.line_rules import line_rule_register

        from . import fragments, receivers, ticket_rules

        order_placed.connect(receivers.on_order_placed, dispatch_uid="events.issue_tickets")
        line_rule_register(ticket_rules.ticket_line_refusal)

        fragments.fragments_register()
        for app_label, model_name in [
            ("schedule", "Event"),
            ("schedule", "Occurrence"),
            ("schedule", "Rule"),
            ("events", "EventDetail"),
            ("events", "EventCategory"),
        ]:
            model = apps.get_model(app_label, model_name)
            uid = f"events.fragments.{app_label}.{model_name}"
            post_save.connect(receivers.on_events_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(receivers.on_events_changed, sender=model, dispatch_uid=uid)
        for model in (apps.get_model("events", "Booking"), apps.get_model("events", "TicketType")):
            uid = f"events.front_door.{model._meta.label}"
            post_save.connect(receivers.on_places_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(receivers.on_places_changed, sender=model, dispatch_uid=uid)
        # Every public event federates, whichever way its rows were written (events.federation).
        for model in (apps.get_model("schedule", "Event"), apps.get_model("events", "EventDetail")):
            uid = f"events.federation.{model._meta.label}"
            post_save.connect(receivers.on_event_saved, sender=model, dispatch_uid=uid)
            post_delete.connect(receivers.on_event_saved, sender=model, dispatch_uid=uid)
