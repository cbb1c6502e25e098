"""Event emails: render a template whose first line is the subject; send now or once the caller commits."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string


def message(to: str, template: str, context: dict) -> EmailMessage:
    body = render_to_string(
        template, {**context, "SITE_URL": settings.SITE_URL, "SITE_NAME": settings.SITE_NAME}
    )
    subject, _, text = body.partition("\n")
    return EmailMessage(subject.strip(), text.strip() + "\n", to=[to])


def mail(to: str, template: str, context: dict) -> None:
    message(to, template, context).send()


def mail_on_commit(to: str, template: str, context: dict) -> None:
    """Mail once the caller's transaction commits: a rollback must not leave an email behind."""
    transaction.on_commit(lambda: mail(to, template, context), robust=True)
