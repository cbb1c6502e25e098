"""Outgoing emails: one durable row per transactional email, written in the transaction of the step that
asks for it and sent by the one runner once that commits.

One mechanism for every app's single emails (an order's confirmation, a refund's outcome): the
caller renders the message and `email_queue` stores it under an idempotency key, so a step run again
finds its row instead of queueing a second. The handler sends outside any transaction; a mail server
down or answering "try later" (4xx) is retried under the graph's policy, a refusal (5xx) fails the
row for good, visible on the state machines page and never resent. The Message-ID is fixed when the
row is written: should a send be repeated after all (a worker killed between the SMTP answer and the
record), the recipient's mail client sees one message, not two.
"""

from __future__ import annotations

import smtplib
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, make_msgid
from django.db import models

from durable.graph import State, StateGraph
from durable.models import Outcome, StatefulModel, state_field
from durable.retry import RetryPolicy
from durable.runner import advance_on_commit


class OutgoingEmailGraph(StateGraph):
    queued = State(
        initial=True,
        handler="email_send",
        timeout=120,  # one email
        # A mail server out for up to a few hours: 5, 10, 20, 40, 60, 60 minutes apart.
        retry=RetryPolicy(max_attempts=7, base_seconds=300, cap_seconds=3600),
        transitions=["sent", "skipped", "failed"],
        label="Queued",
    )
    sent = State(terminal=True, label="Sent")
    # Nobody to send to any more (the address was scrubbed with its account).
    skipped = State(terminal=True, label="Not needed")
    failed = State(terminal=True, failure=True, label="Failed")


class OutgoingEmail(StatefulModel):
    """One email to one recipient, as rendered when it was asked for."""

    state_graph = OutgoingEmailGraph
    state_search_fields = ("key", "to", "subject")

    # What the email is about ("order-confirmation:<number>"): the step that queues it, run again,
    # finds this row rather than writing a second.
    key = models.CharField(max_length=200, unique=True)
    to = models.EmailField(max_length=254)
    # The member it is for, if any: deleting the account deletes their emails (accounts.deletion).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    from_email = models.CharField(max_length=254, blank=True)  # blank: DEFAULT_FROM_EMAIL
    subject = models.CharField(max_length=998)
    text = models.TextField()
    html = models.TextField(blank=True)
    message_id = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    state = state_field(OutgoingEmailGraph)

    class Meta:
        app_label = "durable"

    def __str__(self) -> str:
        return f"email {self.key} ({self.state})"

    def message(self) -> EmailMultiAlternatives:
        message = EmailMultiAlternatives(
            self.subject,
            self.text,
            from_email=self.from_email or None,
            to=[self.to],
            headers={"Message-ID": self.message_id},
        )
        if self.html:
            message.attach_alternative(self.html, "text/html")
        return message

    def email_send(self, now: datetime) -> str | Outcome | None:
        """Handler of `queued`: send once. A refusal is final; anything else raises and is retried."""
        if not self.to:
            return OutgoingEmailGraph.skipped.name
        try:
            self.message().send()
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            if codes and all(code >= 500 for code in codes):
                return Outcome(OutgoingEmailGraph.failed.name, error=f"refused: {exc.recipients}")
            raise
        except smtplib.SMTPResponseException as exc:
            if exc.smtp_code >= 500:
                error = f"refused: {exc.smtp_code} {exc.smtp_error!r}"
                return Outcome(OutgoingEmailGraph.failed.name, error=error)
            raise
        return Outcome(OutgoingEmailGraph.sent.name, fields={"sent_at": now})


def email_queue(
    *, key: str, to: str, subject: str, text: str, html: str = "", from_email: str = "", user=None
) -> OutgoingEmail:
    """Queue one email in the caller's transaction (found, not written again, under the same `key`);
    the runner sends it once that commits. Render it before calling: the row keeps what was said."""
    email, created = OutgoingEmail.objects.get_or_create(
        key=key,
        defaults={
            "to": to,
            "user": user,
            "from_email": from_email,
            "subject": " ".join(subject.split()),  # a header: no line breaks
            "text": text,
            "html": html,
            "message_id": make_msgid(domain=_message_id_domain()),
        },
    )
    if created:
        advance_on_commit(email)
    return email


def _message_id_domain() -> str:
    """The site's host, not this worker's: the ids stay ours whichever machine writes the row."""
    from urllib.parse import urlsplit

    return urlsplit(getattr(settings, "SITE_URL", "")).hostname or "localhost"
