"""Celery tasks for events: the refunds sweep run by beat, and the refund of a cancelled paid ticket."""

import logging
from datetime import datetime

from celery import shared_task
from celery.exceptions import Retry
from django.core.exceptions import ObjectDoesNotExist

from commerce.refunds import RefundRefused

from . import cancellation

logger = logging.getLogger(__name__)

REFUND_MAX_RETRIES = 6  # backoff 1, 2, 4, 8, 16, 32 minutes: about an hour of SumUp trouble


@shared_task
def refunds_owed_resume(now: datetime | None = None) -> list[int]:
    """The beat sweep: queue again the refunds whose task was lost; the refund's recorded key makes a
    duplicate harmless."""
    owed = cancellation.refunds_owed_stale(now)
    refunds_queue(owed)
    return owed


def refunds_queue(booking_ids: list[int]) -> None:
    for booking_id in booking_ids:
        refund_cancelled_ticket.delay(booking_id)


@shared_task(bind=True, max_retries=REFUND_MAX_RETRIES, acks_late=True)
def refund_cancelled_ticket(self, booking_id: int) -> str | Retry | None:
    """Refund one cancelled paid ticket; SumUp failures retry with backoff, then flag it for staff."""
    try:
        amount = cancellation.booking_refund(booking_id)
    except (ValueError, ObjectDoesNotExist, RefundRefused) as exc:
        # Nothing left to refund, no SumUp payment behind it, or SumUp refuses: retrying cannot help.
        _give_up(booking_id, exc)
        return None
    except Exception as exc:  # the SDK raises APIError, timeouts and connection errors alike
        if self.request.retries >= REFUND_MAX_RETRIES:
            _give_up(booking_id, exc)
            return None
        countdown = 60 * 2**self.request.retries
        logger.warning("booking %s refund failed (retry in %ss): %s", booking_id, countdown, exc)
        # Not raised: eager Celery (tests, development without Redis) propagates a raised Retry to the
        # caller, while a returned one is run again in-process; a worker schedules it either way.
        return self.retry(exc=exc, countdown=countdown, throw=False)
    return None if amount is None else str(amount)


def _give_up(booking_id: int, exc: Exception) -> None:
    logger.error("booking %s: automatic refund failed, staff must refund by hand: %s", booking_id, exc)
    cancellation.booking_refund_failed(booking_id, f"{type(exc).__name__}: {exc}")
