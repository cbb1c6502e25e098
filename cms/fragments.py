"""Fragments other apps offer to pages (events, products, market day, newsletter), cached by source.

cms never imports the apps whose content it shows: the app that owns the site root (home) and the
calendar (events) register each fragment here from their AppConfig.ready(), with the sources it
reads ("events", "products").
A block names a fragment and its parameters; the rendered HTML is kept in Django's cache under the
fragment, its parameters and the current version of each of its sources. When a source changes,
its receiver calls `fragment_source_changed`, which replaces that source's version: only the
fragments reading it render afresh, the rest of the cache stays, and the whole-page cache (which
embeds fragments) is orphaned so anonymous readers see the change too.
"""

import hashlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from django.core.cache import cache
from django.db import transaction
from django.dispatch import Signal

from edge import page_cache

SOURCE_VERSION_KEY = "cms:fragment-source:{}"
FRAGMENT_KEY = "cms:fragment:{name}:{params}:{versions}"


@dataclass(frozen=True)
class Fragment:
    name: str
    label: str
    sources: tuple[str, ...]
    render: Callable[[Mapping[str, object]], str]
    # How long a copy may serve even if no source changed: time passes ("this week" moves on, a
    # finished event drops off), and versions left behind by a change expire instead of piling up.
    seconds: int = 3600


_fragments: dict[str, Fragment] = {}


def fragment_register(
    name: str,
    *,
    label: str,
    sources: Iterable[str],
    render: Callable[[Mapping[str, object]], str],
    seconds: int = 3600,
) -> None:
    _fragments[name] = Fragment(name, label, tuple(sources), render, seconds)


def fragment_choices() -> list[tuple[str, str]]:
    """For the block's chooser: called when the admin builds the form, after every app is ready."""
    return [(fragment.name, fragment.label) for fragment in _fragments.values()]


def _source_versions(sources: tuple[str, ...]) -> str:
    keys = [SOURCE_VERSION_KEY.format(source) for source in sources]
    found = cache.get_many(keys)
    missing = {key: uuid.uuid4().hex for key in keys if key not in found}
    if missing:
        # add() so two first renders agree on one version instead of overwriting each other's.
        for key, version in missing.items():
            cache.add(key, version, None)
        found = cache.get_many(keys)
    return ".".join(str(found.get(key, "")) for key in keys)


def fragment_key(name: str, params: Mapping[str, object]) -> str:
    fragment = _fragments[name]
    canonical = json.dumps(dict(params), sort_keys=True, default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:24]
    versions = hashlib.sha256(_source_versions(fragment.sources).encode()).hexdigest()[:16]
    return FRAGMENT_KEY.format(name=name, params=digest, versions=versions)


def fragment_html(name: str, params: Mapping[str, object]) -> str:
    """The fragment's HTML for these parameters, from the cache while none of its sources changed."""
    fragment = _fragments.get(name)
    if fragment is None:
        return ""  # a block naming a fragment no app offers any more shows nothing
    key = fragment_key(name, params)
    html = cache.get(key)
    if html is None:
        html = fragment.render(params)
        cache.set(key, html, fragment.seconds)
    return html


def _source_bump(source: str) -> None:
    cache.set(SOURCE_VERSION_KEY.format(source), uuid.uuid4().hex, None)
    page_cache.pages_invalidate()


# Sent when a fragment's source changed (`source`: "events", "products"): whoever keeps whole pages
# that may show fragments (home, for the front door) refreshes them too.
fragment_source_bumped = Signal()


def fragment_source_changed(source: str) -> None:
    """Now and again after commit: a render between the two would cache the old content anew."""
    _source_bump(source)
    transaction.on_commit(lambda: _source_bump(source))
    fragment_source_bumped.send(sender=None, source=source)
