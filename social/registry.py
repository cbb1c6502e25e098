"""Which page types federate: settings.SOCIAL_FEDERATED_PAGE_MODELS, resolved lazily.

cms never imports social, so social finds the federated page models by name. A registered model must
provide `federation_payload() -> dict` (see cms.BlogPostPage).
"""

import logging
from functools import lru_cache

from django.apps import apps
from django.conf import settings

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
    return f"page:{page.pk}"


def page_payload(page) -> dict:
    return page.specific.federation_payload()
