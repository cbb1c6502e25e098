"""Thin Celery tasks: advance a flow one step, email a staff notification (durable.sweep resumes flows)."""

import logging
from smtplib import SMTPException

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(bind=True, max_retries=None, acks_late=True)
def flow_step_task(self, flow_id: int) -> str | None:
    """Run the flow's next step; enqueue the one after it. Failures retry with backoff."""
    from social import engine

    try:
        next_step = engine.flow_advance(flow_id)
    except Exception as exc:
        countdown = min(2 ** min(self.request.retries, 8), 300)
        logger.warning("flow %s step failed (retry in %ss): %s", flow_id, countdown, exc)
        raise self.retry(exc=exc, countdown=countdown) from exc
    if next_step is not None:
        flow_step_task.delay(flow_id)
    return next_step


@shared_task(acks_late=True, autoretry_for=(SMTPException, OSError), retry_backoff=True, max_retries=5)
def notification_email_task(notification_id: int) -> bool:
    """Refused by the mail server, the claim is released (services) and the task tries again later."""
    from social import services

    return services.notification_email_send(notification_id)
