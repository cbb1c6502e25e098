"""Thin Celery tasks for commerce: send a refund or an order's status email, sweep stale checkouts.

Product imports have no task of their own: they are durable rows that `durable.advance` works."""

import logging

from celery import shared_task
from celery.exceptions import Retry

from commerce import order_status, refunds, services

logger = logging.getLogger(__name__)


REFUND_MAX_RETRIES = 6  # backoff 1, 2, 4, 8, 16, 32 minutes: about an hour of SumUp trouble


@shared_task(name="commerce.refund_send", bind=True, max_retries=REFUND_MAX_RETRIES, acks_late=True)
def refund_send(self, refund_id: int) -> str | Retry | None:
    """Send one recorded refund; SumUp failures retry with backoff, then the attempt is flagged."""
    try:
        refund = refunds.refund_send(refund_id)
    except refunds.RefundRefused:
        return None  # flagged for staff already: retrying cannot help
    except Exception as exc:  # RefundNotSent, or the database or SDK failing around it
        if self.request.retries >= REFUND_MAX_RETRIES:
            refunds.refund_give_up(refund_id, f"{type(exc).__name__}: {exc}")
            return None
        countdown = 60 * 2**self.request.retries
        logger.warning("refund %s not sent (retry in %ss): %s", refund_id, countdown, exc)
        # Returned, not raised: eager Celery (tests, development) runs a returned retry in-process.
        return self.retry(exc=exc, countdown=countdown, throw=False)
    return refund.state


@shared_task(
    name="commerce.order_status_email",
    autoretry_for=(OSError,),  # the mail server down or refusing (smtplib's errors are OSErrors)
    retry_backoff=60,
    max_retries=5,
)
def order_status_email(order_id: int, status: str) -> None:
    order_status.order_status_email_send(order_id, status)


@shared_task(name="commerce.payments_sweep")
def payments_sweep() -> dict[str, list[int]]:
    """Beat: close checkouts past their validity (releasing their stock) and resend lost refunds."""
    expired = services.payment_attempts_expire()
    owed = refunds.refunds_owed()
    for refund_id in owed:
        refund_send.delay(refund_id)
    return {"expired": expired, "refunds": owed}
