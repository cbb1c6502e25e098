"""Thin Celery tasks for commerce: an order's status email, stock alerts' emails.

Payments, refunds and product imports have no task of their own: they are durable rows that
`durable.advance` works and `durable.sweep` finds when due or stalled."""

from celery import shared_task

from commerce import alerts, order_status


@shared_task(
    name="commerce.order_status_email",
    autoretry_for=(OSError,),  # the mail server down or refusing (smtplib's errors are OSErrors)
    retry_backoff=60,
    max_retries=5,
)
def order_status_email(order_id: int, status: str) -> None:
    order_status.order_status_email_send(order_id, status)


@shared_task(name="commerce.product_alerts_send")
def product_alerts_send(product_id: int) -> None:
    alerts.product_alerts_send(product_id)


@shared_task(
    name="commerce.product_alert_confirmation",
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=5,
)
def product_alert_confirmation(alert_id: int) -> None:
    alerts.alert_confirmation_send(alert_id)
