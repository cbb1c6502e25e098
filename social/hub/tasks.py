"""Thin Celery tasks: prune the timeline, send the notification digest."""

from celery import shared_task


@shared_task
def timeline_prune_task() -> int:
    from . import housekeeping

    return housekeeping.timeline_prune()


@shared_task
def notifications_digest_task() -> int:
    from . import housekeeping

    return housekeeping.notifications_digest_send()
