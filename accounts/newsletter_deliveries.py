"""Newsletter deliveries on the one runner: the handlers that mail one issue to one subscriber, and the
issue's own walk through its rows right after "Send".

Each (issue, subscriber) is a `NewsletterDelivery` row written when the issue is queued. The runner
(`durable.runner`) leases it, calls the handlers below outside any transaction, and records the next
state with an UPDATE fenced by the lease; `durable.sweep` picks up rows that are due again (a mail
server outage) or stalled (a worker died). There is no sweep or claim of our own.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from durable import runner
from durable.claim import due, lease_free

from .emails import email_message
from .models import NewsletterDelivery, NewsletterDeliveryGraph, NewsletterIssue, Subscription
from .newsletter_services import unsubscribe_url

logger = logging.getLogger(__name__)

ERROR_MAX_CHARS = 2000
OPEN_STATES = [state.name for state in NewsletterDeliveryGraph.states.values() if not state.terminal]
TERMINAL_STATES = [state.name for state in NewsletterDeliveryGraph.states.values() if state.terminal]


class LeaseLost(RuntimeError):
    """Another worker holds the row now: this one must not touch the mail server for it."""


def mail_server_unavailable(error: Exception) -> bool:
    """Whether sending failed because the mail server is down or busy, not because of this address.

    Connection refused, dropped or timed out, and SMTP 4xx answers (for every recipient) say "try
    later"; 5xx answers about a recipient say "this address will not take it"."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in error.recipients.values())
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    return isinstance(error, OSError)  # refused, reset, timed out, SMTPServerDisconnected


def delivery_prepare(delivery: NewsletterDelivery, now: datetime) -> str:
    """Handler of `queued`: still subscribed, so on to `sending`; else `skipped`."""
    if delivery.subscription.status != Subscription.Status.ACTIVE:
        return _delivery_finish(delivery, now, "skipped")
    return "sending"


def delivery_send(delivery: NewsletterDelivery, now: datetime) -> str:
    """Handler of `sending`: mail once, with the guard committed before the mail server sees it.

    A row reaches here with `smtp_started_at` already set only if an earlier worker wrote the guard
    and never recorded the answer: it died (or hung past its lease) somewhere between handing the
    message to the mail server and hearing back. Whether the server took it is unknowable from
    here. We choose **at most once**: the row ends `unconfirmed` and is not sent again. A newsletter
    is bulk mail that is also on the site; a second copy costs more (spam reports, which our mail
    events turn into an unsubscription from every list) than one missed issue, SMTP servers do not
    deduplicate, and the window is one SMTP exchange wide. Staff see such rows on the state machines
    page. A worker killed *before* the guard (between the claim and the send) left no guard, so the
    sweep's next worker sends normally: that person gets exactly one email.
    """
    if delivery.smtp_started_at is not None:
        return _delivery_finish(delivery, now, "unconfirmed", error="a worker died during the SMTP exchange")
    if delivery.subscription.status != Subscription.Status.ACTIVE:
        return _delivery_finish(delivery, now, "skipped")
    message = delivery_message(delivery)  # rendered first: a template error is a plain retry, no guard
    lease = delivery.locked_until
    guarded = NewsletterDelivery.objects.filter(
        pk=delivery.pk, locked_until=lease, smtp_started_at__isnull=True
    ).update(smtp_started_at=now)
    if not guarded:
        raise LeaseLost(f"newsletter delivery {delivery.pk} was taken by another worker")
    try:
        message.send()
    except Exception as error:  # one bad address must not stop the list
        if mail_server_unavailable(error):
            # Refused, dropped or "4xx try later": the server did not take it, so the guard is lifted and
            # the runner's retry policy sends it later. (A connection lost after DATA but before the
            # server's 250 is counted here too, as the batch sender always did: RFC 1047's rare case.)
            NewsletterDelivery.objects.filter(pk=delivery.pk, locked_until=lease).update(smtp_started_at=None)
            if delivery.state_node.retry.exhausted(delivery.state_attempts):
                return _delivery_finish(delivery, now, "failed", error=f"mail server unavailable: {error}")
            raise
        logger.warning("newsletter %s to subscription %s failed: %s", delivery.issue_id, delivery.pk, error)
        return _delivery_finish(delivery, now, "failed", error=str(error))
    delivery.sent_at = now
    return _delivery_finish(delivery, now, "sent")


def delivery_message(delivery: NewsletterDelivery) -> EmailMultiAlternatives:
    issue, subscription = delivery.issue, delivery.subscription
    url = unsubscribe_url(subscription)
    context = {
        "issue": issue,
        "newsletter": issue.newsletter,
        "body_html": issue.body_html,
        "body_text": issue.body_text,
        "unsubscribe_url": url,
    }
    headers = {
        # RFC 8058 one-click unsubscribe: mail clients POST "List-Unsubscribe=One-Click" to the URL.
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": f"{issue.newsletter.name} <{issue.newsletter.slug}.{settings.SITE_HOST.split(':')[0]}>",
    }
    return email_message("newsletter_issue", subscription.email, context, headers=headers)


def _delivery_finish(delivery: NewsletterDelivery, now: datetime, state: str, *, error: str = "") -> str:
    """Write the outcome on the row's own columns, close the issue if this was its last open row, and
    return the state for the runner to record (the state and the lease are the runner's to write)."""
    NewsletterDelivery.objects.filter(pk=delivery.pk).update(
        finished_at=now, sent_at=delivery.sent_at, error=error[:ERROR_MAX_CHARS]
    )
    issue_finish_if_done(delivery.issue_id, now)
    return state


def delivery_given_up(delivery: NewsletterDelivery, now: datetime, error: str) -> None:
    """Record a row the runner failed on its own as finished, and close its issue if it was the last."""
    _delivery_finish(delivery, now, NewsletterDelivery.state_graph.failed.name, error=error)


def issue_finish_if_done(issue_id: int, now: datetime) -> bool:
    """Mark a sending issue sent once none of its rows is open; True if this call did it.

    A row counts as done once its handler wrote `finished_at`, before the runner records its state:
    every handler writes its own row and only then looks at the others, so of two last rows finishing
    together at least the later one sees both done.
    """
    still_open = NewsletterDelivery.objects.filter(
        issue_id=issue_id, state__in=OPEN_STATES, finished_at__isnull=True
    ).exists()
    if still_open:
        return False
    return bool(
        NewsletterIssue.objects.filter(pk=issue_id, status=NewsletterIssue.Status.SENDING).update(
            status=NewsletterIssue.Status.SENT, finished_at=now
        )
    )


def issue_send(issue_id: int) -> int:
    """Work an issue's open rows here, one after another, each under its own lease; how many were worked.

    Right after "Send" this spares the subscribers the sweep's 30 s; the sweep still takes any row this
    walk does not reach (its worker killed, the rows leased elsewhere). When the mail server is down the
    walk stops, and the issue's other queued rows wait for the same retry time as the row that found it
    down, instead of each finding it down again.
    """
    pks = list(
        NewsletterDelivery.objects.filter(issue_id=issue_id, state__in=OPEN_STATES)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for worked, pk in enumerate(pks, start=1):
        if runner.advance(NewsletterDelivery, pk) in TERMINAL_STATES:
            continue
        row = NewsletterDelivery.objects.filter(pk=pk).values("due_at", "locked_until").first()
        now = timezone.now()
        if row and row["locked_until"] is None and row["due_at"] and row["due_at"] > now:
            waiting = NewsletterDelivery.objects.filter(
                issue_id=issue_id, state=NewsletterDeliveryGraph.queued.name
            ).filter(due(now) & lease_free(now))
            postponed = waiting.update(due_at=row["due_at"])
            logger.warning(
                "newsletter %s paused until %s, the mail server is unavailable (%s rows wait)",
                issue_id,
                row["due_at"].isoformat(),
                postponed,
            )
            return worked
    issue_finish_if_done(issue_id, timezone.now())
    return len(pks)
