"""What federates: page types (settings.SOCIAL_FEDERATED_PAGE_MODELS) and other sources
(settings.SOCIAL_FEDERATED_SOURCES), both resolved lazily by name.

cms and events never need social to know them: social finds them here. A registered page model must
provide `federation_payload() -> dict` (see cms.BlogPostPage) and may provide `federation_object_key()`
when it stands for an object that is not the page itself (events.EventPage: its scheduler event). A
source is an object key's kind ("event" for "event:12") mapped to the dotted path of a function that
takes the id and returns the payload, or None once the source is gone. An app that may not import
social (commerce) reports its sources' changes on a signal of its own, named in SOCIAL_SOURCE_SIGNALS.
"""

import logging
from datetime import datetime
from functools import lru_cache
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


@lru_cache(maxsize=8)
def _resolve(labels: tuple[str, ...]) -> tuple[type, ...]:
    models = []
    for label in labels:
        try:
            models.append(apps.get_model(label))
        except (LookupError, ValueError):
            logger.warning("SOCIAL_FEDERATED_PAGE_MODELS names %r, which is not an installed model", label)
    return tuple(models)


def federated_models() -> tuple[type, ...]:
    return _resolve(tuple(settings.SOCIAL_FEDERATED_PAGE_MODELS))


def is_federated(page) -> bool:
    """True for a page whose specific class is registered (aliases never federate on their own)."""
    if getattr(page, "alias_of_id", None):
        return False
    specific_class = getattr(page, "specific_class", None) or type(page)
    return specific_class in federated_models()


def object_key(page) -> str:
    # specific_deferred: the page's own class without loading its fields (one query if it needs them).
    own_key = getattr(page.specific_deferred, "federation_object_key", None)
    return own_key() if own_key is not None else f"page:{page.pk}"


def is_source_key(object_key: str) -> bool:
    """True for the key of a registered non-page source (its flows read their payload from it)."""
    return object_key.partition(":")[0] in settings.SOCIAL_FEDERATED_SOURCES


def source_payload(object_key: str) -> dict | None:
    """The payload of a non-page source as it is now, or None when it is gone (or not registered)."""
    kind, _, ident = object_key.partition(":")
    path = settings.SOCIAL_FEDERATED_SOURCES.get(kind)
    if path is None or not ident.isdigit():
        return None
    return import_string(path)(int(ident))


def source_signals() -> list:
    """The signals (settings.SOCIAL_SOURCE_SIGNALS, by dotted path) on which apps that may not import
    social report a source's change: sent with object_key, kind, is_private and maybe a payload."""
    return [import_string(path) for path in getattr(settings, "SOCIAL_SOURCE_SIGNALS", ())]


def behavior_signals() -> list:
    """The signals (settings.SOCIAL_BEHAVIOR_SIGNALS, by dotted path) on which apps that may not import
    social ask for a behavior to run: sent with behavior, object_key, event and payload."""
    return [import_string(path) for path in getattr(settings, "SOCIAL_BEHAVIOR_SIGNALS", ())]


def page_payload(page) -> dict:
    return page.specific.federation_payload()


# Kinds whose only possible outcome is a Delete, which carries a Tombstone (behaviors.steps.compose_delete).
TOMBSTONE_KINDS = ("unpublished", "deleted", "cancelled")


def page_tombstone(page) -> dict:
    """What identifies a page whose federated object is about to go: no body is rendered, so an embed
    not stored is never asked of its provider (inside the editor's transaction, for nothing)."""
    return {
        "page_id": page.pk,
        "title": page.title,
        "url": settings.SITE_URL + urlsplit(page.get_url() or "/").path,
    }


def page_is_private(page) -> bool:
    """True when a view restriction covers the page or an ancestor (or what an ancestor aliases).

    Page.get_view_restrictions() says the same in two queries; this asks in one, inside the publish
    transaction (the trigger needs it there; the full payload is built later, by the runner).
    """
    from django.db.models import Q
    from wagtail.models import Page, PageViewRestriction

    step = Page.steplen
    paths = [page.path[:end] for end in range(step, len(page.path) + 1, step)]
    ancestors = Page.objects.filter(path__in=paths)
    return PageViewRestriction.objects.filter(
        Q(page__in=ancestors.values("pk"))
        | Q(page__in=ancestors.filter(alias_of__isnull=False).values("alias_of"))
    ).exists()


def revision_payload(revision_id: int, *, published_at: datetime) -> dict | None:
    """The payload of the page as it was at one revision, or None when that revision is gone.

    A publish flow stores only the revision id; the runner builds the payload from it, so the editor's
    publish transaction does none of this work and the flow still federates exactly what was published.
    `published_at` stands in for the publish time when the page has been published again since
    (a revision's content keeps the page's *previous* last_published_at).
    """
    from wagtail.models import Revision

    revision = Revision.objects.filter(pk=revision_id).first()
    live = revision.content_object if revision is not None else None
    if live is None or not hasattr(live, "federation_payload"):
        return None
    page = live.with_content_json(revision.content)
    page.last_published_at = live.last_published_at if live.live_revision_id == revision.pk else published_at
    return page.federation_payload()
