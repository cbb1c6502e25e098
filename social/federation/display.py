"""How remote content and our federated objects read on admin screens: one place that renders them.

Remote HTML reaches a screen only through `remote_html`, the one call into the sanitiser for remote
HTML, so moving to another sanitiser is a one-line change here.
"""

from collections.abc import Iterable

from django.db.models import Q
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from edge.sanitise import html_sanitise

from . import ids
from .models import FederatedObject


def remote_html(html: str, *, words: int | None = None) -> SafeString:
    """A remote reply or note as markup to show: cut to `words` (tags kept balanced), then sanitised."""
    if words:
        html = Truncator(html or "").words(words, html=True, truncate="…")
    return mark_safe(html_sanitise(html))


def object_title(obj: FederatedObject) -> str:
    """A federated post's title as readers know it, never its key or address."""
    return obj.data.get("name") or obj.data.get("summary") or obj.object_key


def object_titles(uris: Iterable[str]) -> dict[str, tuple[str, str]]:
    """{uri: (title, url)} for those of `uris` that are posts of ours (by page URL or ActivityPub id),
    in one query; notifications name the post instead of showing its address."""
    uris = {uri for uri in uris if uri}
    if not uris:
        return {}
    refs = {uri: ids.object_ref(uri) for uri in uris}  # an id of any of an object's periods
    keys = {ref[0] for ref in refs.values() if ref}
    by_key, by_url = {}, {}
    for obj in FederatedObject.objects.filter(Q(url__in=uris) | Q(object_key__in=keys)):
        by_key[obj.object_key] = obj
        by_url.setdefault(obj.url, obj)
    found: dict[str, tuple[str, str]] = {}
    for uri, ref in refs.items():
        obj = by_key.get(ref[0]) if ref else by_url.get(uri)
        if obj is not None and (ref is None or ref[1] <= obj.period):
            found[uri] = (object_title(obj), obj.url)
    return found
