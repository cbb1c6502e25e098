"""Celery tasks for accounts: thin wrappers that send account email and walk an issue's deliveries."""

from celery import shared_task

from .emails import email_send, email_send_rendered
from .newsletter_deliveries import issue_send
from .services import password_reset_mail


@shared_task(acks_late=True)
def send_account_email(template_prefix: str, to: str, context: dict) -> None:
    email_send(template_prefix, to, context)


@shared_task(acks_late=True)
def send_rendered_email(subject: str, text: str, html: str, to: str) -> None:
    """Reset emails the previous release queued already rendered: a rolling deploy's workers still send
    them. Nothing queues this any more; drop it once no queue can hold one."""
    email_send_rendered(subject, text, html, to)


@shared_task(acks_late=True)
def send_password_reset(email: str) -> int:
    """A reset link to each account at the address, if any: looked up here, not in the request."""
    return password_reset_mail(email)


@shared_task(acks_late=True)
def newsletter_send(issue_id: int) -> int:
    """Right after "Send": work the issue's rows, each under its own lease (the sweep does the rest)."""
    return issue_send(issue_id)
