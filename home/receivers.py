"""Signal receivers for home: small functions that call one service each."""

from typing import Any

from cms.fragments import fragment_source_changed

from .services import sites_sync_from_settings


def on_post_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    sites_sync_from_settings(using=using)


def on_products_changed(sender: Any, **kwargs: Any) -> None:
    # A product's stock, price or availability changed: the product fragments render again.
    fragment_source_changed("products")
