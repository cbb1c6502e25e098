"""App config for commerce."""

from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "commerce"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from oscar.apps.order.signals import order_status_changed

        from commerce.order_status import order_status_changed_receiver

        order_status_changed.connect(order_status_changed_receiver, dispatch_uid="commerce-status-email")
