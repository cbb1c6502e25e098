"""A mail backend that refuses chosen recipients, like an SMTP server that drops mid-run (the
``refusing_mail`` fixture in tests/conftest.py puts it in place)."""

import smtplib

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

REFUSED: set[str] = set()


class RefusingBackend(EmailBackend):
    """Delivers to ``django.core.mail.outbox`` except for addresses in ``REFUSED``, which raise."""

    def send_messages(self, messages):
        for message in messages:
            refused = REFUSED.intersection(message.to)
            if refused:
                raise smtplib.SMTPRecipientsRefused({address: (550, b"refused") for address in refused})
        return super().send_messages(messages)


def mails_to(address: str) -> int:
    """How many messages in the outbox were sent to ``address``."""
    return sum(address in message.to for message in mail.outbox)
