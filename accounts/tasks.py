"""Celery tasks for accounts: thin wrappers that send account email and newsletter batches."""

from celery import shared_task
from django.conf import settings

from .emails import email_send, email_send_rendered
from .newsletter_services import issue_send_batch
from .selectors import issues_stalled


@shared_task(acks_late=True)
def send_account_email(template_prefix: str, to: str, context: dict) -> None:
    email_send(template_prefix, to, context)


@shared_task(acks_late=True)
def send_rendered_email(subject: str, text: str, html: str, to: str) -> None:
    """An email rendered where its context lives (Django's password reset), sent here, after commit."""
    email_send_rendered(subject, text, html, to)


@shared_task(acks_late=True)
def newsletter_send(issue_id: int) -> None:
    """Send one batch, then queue the next: a restart loses at most the batch in flight's claims."""
    if issue_send_batch(issue_id):
        newsletter_send.delay(issue_id)


@shared_task
def newsletter_resume_stalled() -> list[int]:
    """Beat: restart the sending of issues whose worker died (claims keep it from repeating anyone)."""
    stalled = issues_stalled(settings.ACCOUNTS_NEWSLETTER_STALL_SECONDS)
    for issue_id in stalled:
        newsletter_send.delay(issue_id)
    return stalled
