"""Rendering and sending the account emails (confirmation, notices, newsletter confirmations)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def email_render(template_prefix: str, context: dict) -> tuple[str, str, str]:
    """Render ``<prefix>_subject.txt``, ``<prefix>.txt`` and ``<prefix>.html`` under accounts/email/."""
    context = {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, **context}
    base = f"accounts/email/{template_prefix}"
    subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
    return subject, render_to_string(f"{base}.txt", context), render_to_string(f"{base}.html", context)


def email_send(template_prefix: str, to: str, context: dict, headers: dict | None = None) -> None:
    subject, text, html = email_render(template_prefix, context)
    email_send_rendered(subject, text, html, to, headers=headers)


def email_send_rendered(subject: str, text: str, html: str, to: str, headers: dict | None = None) -> None:
    _message(subject, text, html, to, headers).send()


def email_message(
    template_prefix: str, to: str, context: dict, headers: dict | None = None
) -> EmailMultiAlternatives:
    """The rendered message, not yet sent: for callers that record something between the two."""
    subject, text, html = email_render(template_prefix, context)
    return _message(subject, text, html, to, headers)


def _message(subject: str, text: str, html: str, to: str, headers: dict | None) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to], headers=headers or {})
    if html:
        message.attach_alternative(html, "text/html")
    return message
