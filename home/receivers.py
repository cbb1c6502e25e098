"""Signal receivers for home: small functions that call one service each."""

from typing import Any

from .services import sites_sync_from_settings


def on_post_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    sites_sync_from_settings(using=using)
