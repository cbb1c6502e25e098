"""Signal receivers for home: Site rows, the market's fragments, the chrome's cached fragments and
the cached pages (in the app and at the front door)."""

from typing import Any

from django.core.cache import cache
from django.db import transaction
from wagtail.models import Page

from cms.fragments import fragment_source_changed
from edge import page_cache

from . import front_door, navigation, sites
from .services import sites_sync_from_settings
from .tasks import front_door_purge


def on_post_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    sites_sync_from_settings(using=using)


def on_products_changed(sender: Any, **kwargs: Any) -> None:
    # A product's stock, price or availability changed: the product fragments render again.
    fragment_source_changed("products")


def on_fragment_source_bumped(sender: Any, source: str, **kwargs: Any) -> None:
    # Any Wagtail page may show the calendar's or the market's fragments: the front door's copies
    # of them are refreshed once the change commits.
    front_door_purge_after_commit()


def on_content_changed(sender: Any, **kwargs: Any) -> None:
    # Now and again after commit: a request rendering between the two would cache the old content.
    page_cache.pages_invalidate()
    transaction.on_commit(page_cache.pages_invalidate)
    front_door_purge_after_commit()  # after the in-app invalidation's own on_commit


def on_navigation_changed(sender: Any, **kwargs: Any) -> None:
    # A published, moved or deleted page can be a menu entry (on_content_changed drops the pages).
    navigation.menus_invalidate()
    transaction.on_commit(navigation.menus_invalidate)


def on_sites_changed(sender: Any, **kwargs: Any) -> None:
    # Now and again after commit: a request between the two could keep the old row under the new version.
    sites.sites_invalidate()
    transaction.on_commit(sites.sites_invalidate)


def on_navigation_saved(sender: Any, created: bool = False, **kwargs: Any) -> None:
    # Rows are created empty on first read (NavigationSettings.for_site); only edits change menus.
    if not created:
        on_navigation_changed(sender)
        on_content_changed(sender)  # menus appear on every cached page


def on_page_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Page):
        on_navigation_changed(sender)
        on_content_changed(sender)


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


def front_door_purge_after_commit() -> None:
    """Queue a purge of every live page once the change commits (no HTTP inside the transaction).

    Register it after the in-app invalidation's own on_commit, so the purge never lets a reader refill
    the front door from an old in-app copy."""
    if front_door.front_door_enabled():
        transaction.on_commit(_front_door_purge_enqueue)


def _front_door_purge_enqueue() -> None:
    if cache.add(front_door.PURGE_QUEUED_KEY, 1, 300):  # the timeout only outlives a lost task
        front_door_purge.delay()
