"""App config for commerce."""

from django.apps import AppConfig


class CommerceConfig(AppConfig):
    name = "commerce"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from oscar.apps.order.signals import order_status_changed

        from commerce import receivers

        order_status_changed.connect(receivers.on_order_status_changed, dispatch_uid="commerce-status-email")

        # The market on the fediverse: each change to a product or its stock is reported after commit.
        from django.db.models.signals import post_delete, post_save, pre_delete
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
