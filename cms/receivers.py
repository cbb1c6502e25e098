"""Signal receivers for cms: each drops the cached fragments and pages its source feeds."""

from typing import Any

from django.db import transaction
from wagtail.models import Page

from cms import front_door, navigation, page_cache


def on_content_changed(sender: Any, **kwargs: Any) -> None:
    # Now and again after commit: a request rendering between the two would cache the old content.
    page_cache.pages_invalidate()
    transaction.on_commit(page_cache.pages_invalidate)
    if front_door.front_door_enabled():
        # Registered after the in-app invalidation, so the purge never lets a reader refill the
        # front door from an old in-app copy.
        transaction.on_commit(_front_door_purge_enqueue)


def _front_door_purge_enqueue() -> None:
    from cms.tasks import front_door_purge

    front_door_purge.delay()


def on_navigation_changed(sender: Any, **kwargs: Any) -> None:
    # Menus appear on every cached page, and a published, moved or deleted page changes listings.
    navigation.menus_invalidate()
    transaction.on_commit(navigation.menus_invalidate)
    on_content_changed(sender)


def on_navigation_saved(sender: Any, created: bool = False, **kwargs: Any) -> None:
    # Rows are created empty on first read (NavigationSettings.for_site); only edits change menus.
    if not created:
        on_navigation_changed(sender)


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


def on_embed_wanted(
    sender: Any, url: str, max_width: int | None, max_height: int | None, **kwargs: Any
) -> None:
    from cms import tasks

    tasks.embed_fetch.delay(url, max_width, max_height)
