"""App config for commerce."""

from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "commerce"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from oscar.apps.order.signals import order_status_changed

        from commerce import receivers
        from commerce.order_status import order_status_changed_receiver
        from commerce.refunds import refund_owed

        refund_owed.connect(receivers.on_refund_owed, dispatch_uid="commerce-refund-send")

        order_status_changed.connect(order_status_changed_receiver, dispatch_uid="commerce-status-email")
        self._front_door_receivers_connect(receivers)

    def _front_door_receivers_connect(self, receivers) -> None:
        from django.apps import apps
        from django.db.models.signals import post_delete, post_save
        from oscar.apps.catalogue.signals import product_viewed
        from oscar.apps.customer.receivers import receive_product_view

        # Each source's rows looked up by label, so Oscar forks are honoured.
        for app_label, model_name in [
            ("catalogue", "Product"),
            ("catalogue", "ProductImage"),
            ("catalogue", "ProductCategory"),
            ("partner", "StockRecord"),
        ]:
            model = apps.get_model(app_label, model_name)
            uid = f"commerce.front_door.{app_label}.{model_name}"
            post_save.connect(receivers.on_product_changed, sender=model, dispatch_uid=uid)
            post_delete.connect(receivers.on_product_changed, sender=model, dispatch_uid=uid)
        product_viewed.disconnect(receive_product_view)
        product_viewed.connect(receivers.on_product_viewed, dispatch_uid="commerce.product_viewed")
