"""App config for commerce."""

from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "commerce"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from oscar.apps.order.signals import order_status_changed

        from commerce import receivers
        from commerce.refunds import refund_owed

        refund_owed.connect(receivers.on_refund_owed, dispatch_uid="commerce-refund-send")

        order_status_changed.connect(receivers.on_order_status_changed, dispatch_uid="commerce-status-email")
