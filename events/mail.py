"""Event emails: render a template whose first line is the subject, and send it."""

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string


def message(to: str, template: str, context: dict) -> EmailMessage:
    body = render_to_string(
        template, {**context, "SITE_URL": settings.SITE_URL, "SITE_NAME": settings.SITE_NAME}
    )
    subject, _, text = body.partition("\n")
    return EmailMessage(subject.strip(), text.strip() + "\n", to=[to])


def mail(to: str, template: str, context: dict) -> None:
    message(to, template, context).send()
