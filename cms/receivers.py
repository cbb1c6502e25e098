"""Signal receivers for cms: queue the oEmbed lookups blocks ask for (after commit, off the request)."""

from typing import Any


def on_embed_wanted(
    sender: Any, url: str, max_width: int | None, max_height: int | None, **kwargs: Any
) -> None:
    from cms import tasks

    tasks.embed_fetch.delay(url, max_width, max_height)
