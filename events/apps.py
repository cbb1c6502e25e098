"""App config for events."""

from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from oscar.apps.order.signals import order_placed

        from commerce.line_rules import line_rule_register

        from . import receivers, ticket_rules

        order_placed.connect(receivers.on_order_placed, dispatch_uid="events.issue_tickets")
        line_rule_register(ticket_rules.ticket_line_refusal)
