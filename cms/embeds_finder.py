"""Wagtail's oEmbed finder, asking providers through the edge: public addresses, one deadline, a size cap.

Wagtail's own finder asks with `requests` and a per-read timeout only: a provider dripping its answer
holds the worker, and an endpoint on a private address (a provider list edited in settings, a
provider's name resolving inward) is fetched like any other.
"""

import json
from contextlib import suppress
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from django.utils import timezone
from django.utils.html import format_html
from wagtail.embeds.exceptions import EmbedNotFoundException
from wagtail.embeds.finders.oembed import OEmbedFinder

from edge.http import RemoteFetchError, remote_request
from edge.sanitise import url_safe

# An oEmbed answer is a few kilobytes of JSON; the cap is generous and still bounds memory.
OEMBED_MAX_BYTES = 256_000


class EdgeOEmbedFinder(OEmbedFinder):
    def find_embed(
        self, url: str, max_width: int | None = None, max_height: int | None = None
    ) -> dict[str, Any]:
        endpoint = self._get_endpoint(url)
        if endpoint is None:
            raise EmbedNotFoundException
        params = {**self.options, "url": url, "format": "json"}
        if max_width:
            params["maxwidth"] = max_width
        if max_height:
            params["maxheight"] = max_height
        separator = "&" if "?" in endpoint else "?"
        try:
            answer = remote_request(
                "GET",
                f"{endpoint}{separator}{urlencode(params)}",
                headers={"Accept": "application/json"},
                max_bytes=OEMBED_MAX_BYTES,
                redirects=3,
            )
            oembed = json.loads(answer.content) if answer.status_code == 200 else None
        except (RemoteFetchError, ValueError) as exc:
            raise EmbedNotFoundException(f"Request failed: {exc}") from exc
        if not isinstance(oembed, dict) or "type" not in oembed:
            raise EmbedNotFoundException("No oEmbed answer")
        return _embed_from(oembed)


def _embed_from(oembed: dict[str, Any]) -> dict[str, Any]:
    """Wagtail's embed fields from an oEmbed answer (as Wagtail's finder maps them)."""
    if oembed["type"] == "photo":
        # The provider chose this URL: a javascript: or data: one must not become a src.
        html = format_html('<img src="{}" alt="">', url_safe(oembed.get("url")))
    else:
        html = oembed.get("html")
    result = {
        "title": oembed.get("title", "") or "",
        "author_name": oembed.get("author_name", "") or "",
        "provider_name": oembed.get("provider_name", "") or "",
        "type": oembed["type"],
        "thumbnail_url": oembed.get("thumbnail_url"),
        "width": oembed.get("width"),
        "height": oembed.get("height"),
        "html": html,
    }
    with suppress(KeyError, TypeError, ValueError, OverflowError):  # no usable cache_age: Wagtail's default
        result["cache_until"] = timezone.now() + timedelta(seconds=int(oembed["cache_age"]))
    return result
