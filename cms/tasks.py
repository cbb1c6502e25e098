"""Thin Celery tasks for cms: Wagtail's scheduled publishing (run by beat), oEmbed lookups."""

from celery import shared_task
from django.core.management import call_command


@shared_task(name="cms.publish_scheduled")
def publish_scheduled() -> None:
    # Wagtail's command is idempotent: it publishes revisions whose go-live time has passed
    # and unpublishes pages whose expiry has passed.
    call_command("publish_scheduled", verbosity=0)


@shared_task(name="cms.embed_fetch")
def embed_fetch(url: str, max_width: int | None = None, max_height: int | None = None) -> bool:
    from .embeds import embed_fetch as fetch

    return fetch(url, max_width, max_height)
