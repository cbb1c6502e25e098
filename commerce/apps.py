"""App config for commerce."""

from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "commerce"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from oscar.apps.order.signals import order_status_changed

        from commerce import receivers

        order_status_changed.connect(receivers.on_order_status_changed, dispatch_uid="commerce-status-email")

        self._market_federation_connect()
        self._front_door_receivers_connect(receivers)

    def _market_federation_connect(self) -> None:
        """The market on the fediverse: each change to a product or its stock is reported after commit."""
        from django.db.models.signals import post_delete, post_init, post_save, pre_delete
        from oscar.core.loading import get_model

        from commerce import federation

        product, stock_record = get_model("catalogue", "Product"), get_model("partner", "StockRecord")
        post_save.connect(federation.on_product_saved, sender=product, dispatch_uid="commerce-product-saved")
        pre_delete.connect(
            federation.on_product_deleted, sender=product, dispatch_uid="commerce-product-deleted"
        )
        post_save.connect(
            federation.on_stock_record_saved, sender=stock_record, dispatch_uid="commerce-stock-saved"
        )
        post_delete.connect(
            federation.on_stock_record_deleted, sender=stock_record, dispatch_uid="commerce-stock-deleted"
        )
        # Oscar's own back-in-stock receiver mails inside the stock change (OSCAR_EAGER_ALERTS is off).
        from commerce import alerts

        post_init.connect(
            alerts.on_stock_record_loaded, sender=stock_record, dispatch_uid="commerce-stock-alerts-loaded"
        )
        post_save.connect(
            alerts.on_stock_record_saved, sender=stock_record, dispatch_uid="commerce-stock-alerts"
        )

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
