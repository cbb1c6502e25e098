"""Signal receivers for cms: drop the cached pages a change feeds, queue the oEmbed lookups blocks ask for."""

from typing import Any

from django.db import transaction
from wagtail.models import Page

from cms import front_door, page_cache


def on_content_changed(sender: Any, **kwargs: Any) -> None:
    # Now and again after commit: a request rendering between the two would cache the old content.
    page_cache.pages_invalidate()
    transaction.on_commit(page_cache.pages_invalidate)
    front_door.front_door_purge_after_commit()


def on_page_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    if isinstance(instance, Page):
        on_content_changed(sender)


def on_embed_wanted(
    sender: Any, url: str, max_width: int | None, max_height: int | None, **kwargs: Any
) -> None:
    from cms import tasks

    tasks.embed_fetch.delay(url, max_width, max_height)
