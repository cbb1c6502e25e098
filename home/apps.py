"""App config for home: Site rows that follow SITE_URL, URL converters, the market's fragments."""

from django.apps import AppConfig, apps
from django.db.models.signals import post_delete, post_migrate, post_save


class HomeConfig(AppConfig):
    name = "home"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from .converters import converters_register
        from .fragments import fragments_register
        from .receivers import on_post_migrate, on_products_changed

        converters_register()  # before any URLconf (ours, Wagtail hooks') is built

        post_migrate.connect(on_post_migrate, sender=self)

        fragments_register()
        # Each source's rows, looked up by label so Oscar forks are honoured.
        sources = {
            on_products_changed: [
                ("catalogue", "Product"),
                ("catalogue", "ProductImage"),
                ("catalogue", "ProductCategory"),
                ("partner", "StockRecord"),
                ("partner", "Partner"),
            ],
        }
        for receiver, labels in sources.items():
            for app_label, model_name in labels:
                model = apps.get_model(app_label, model_name)
                uid = f"home.fragments.{app_label}.{model_name}"
                post_save.connect(receiver, sender=model, dispatch_uid=uid)
                post_delete.connect(receiver, sender=model, dispatch_uid=uid)
