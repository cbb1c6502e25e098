"""Signal receivers for home: Site rows, the market's fragments, and the chrome's cached fragments."""

from typing import Any

from django.db import transaction
from wagtail.models import Page

from cms.fragments import fragment_source_changed
from cms.front_door import front_door_purge_after_commit
from cms.receivers import on_content_changed

from . import navigation
from .services import sites_sync_from_settings


def on_post_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    sites_sync_from_settings(using=using)


def on_products_changed(sender: Any, **kwargs: Any) -> None:
    # A product's stock, price or availability changed: the product fragments render again, and the
    # front door's copies of the pages that may show them (any page) are refreshed.
    fragment_source_changed("products")
    front_door_purge_after_commit()


def on_navigation_changed(sender: Any, **kwargs: Any) -> None:
    # A published, moved or deleted page can be a menu entry (cms drops the cached pages themselves).
    navigation.menus_invalidate()
    transaction.on_commit(navigation.menus_invalidate)


def on_navigation_saved(sender: Any, created: bool = False, **kwargs: Any) -> None:
    # Rows are created empty on first read (NavigationSettings.for_site); only edits change menus.
    if not created:
        on_navigation_changed(sender)
        on_content_changed(sender)  # menus appear on every cached page


def on_page_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Page):
        on_navigation_changed(sender)


def on_basket_line_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    # Drop now and again after commit, so a request racing the transaction cannot re-cache old counts.
    basket_id = instance.basket_id
    navigation.basket_fragment_invalidate(basket_id)
    transaction.on_commit(lambda: navigation.basket_fragment_invalidate(basket_id))


def on_basket_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    basket_id = instance.pk
    navigation.basket_fragment_invalidate(basket_id)
    transaction.on_commit(lambda: navigation.basket_fragment_invalidate(basket_id))


def on_user_session_changed(sender: Any, user: Any = None, **kwargs: Any) -> None:
    if user is not None:
        navigation.account_fragment_invalidate(user.pk)


def on_user_saved(sender: Any, instance: Any, **kwargs: Any) -> None:
    user_id = instance.pk
    navigation.account_fragment_invalidate(user_id)
    transaction.on_commit(lambda: navigation.account_fragment_invalidate(user_id))
