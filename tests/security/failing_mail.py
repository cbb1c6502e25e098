"""A mail backend that refuses chosen recipients, like an SMTP server that drops mid-run."""

import smtplib

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
