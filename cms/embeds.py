"""oEmbed without HTTP inside a transaction: blocks validated by pattern, providers asked after commit.

Wagtail's EmbedBlock asks the provider (YouTube, Vimeo, …) when the block is validated, which happens
inside the editor's request and so inside its transaction (ATOMIC_REQUESTS): the transaction would
stay open for as long as the provider takes. Here validation only checks that a configured finder
accepts the URL, and a task enqueued on commit asks the provider and stores Wagtail's Embed row.
(Rendering may still ask the provider on a miss: pages render their template after the view's
transaction has closed, as TemplateResponse does.)
"""

from django.db import transaction
from django.dispatch import Signal

# A block named an embed URL; sent after commit with url, max_width, max_height. The cms receiver
# queues the lookup (blocks sit under the models, which import no tasks).
embed_wanted = Signal()


def url_embeddable(url: str) -> bool:
    """True when one of Wagtail's embed finders accepts the URL (a pattern match: no request is made)."""
    from wagtail.embeds.finders import get_finders

    return url.startswith(("http://", "https://")) and any(finder.accept(url) for finder in get_finders())


def embed_fetch_after_commit(url: str, max_width: int | None = None, max_height: int | None = None) -> None:
    transaction.on_commit(
        lambda: embed_wanted.send(sender=None, url=url, max_width=max_width, max_height=max_height)
    )


def embed_fetch(url: str, max_width: int | None = None, max_height: int | None = None) -> bool:
    """Ask the provider (no transaction open) and store its answer; False if it has none for the URL."""
    from wagtail.embeds.embeds import get_embed
    from wagtail.embeds.exceptions import EmbedException

    try:
        get_embed(url, max_width, max_height)  # stored by Wagtail, reused while it is fresh
    except EmbedException:
        return False  # the page renders no player; rendering asks again
    return True
