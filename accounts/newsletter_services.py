"""Writes for newsletters: double opt-in, unsubscribe and bounces, and queueing an issue for sending.

The sending itself is `accounts.newsletter_deliveries`', on the one runner."""

import hashlib
import hmac
import logging
import time

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from .emails import email_render
from .models import (
    MailEvent,
    NewsletterDelivery,
    NewsletterIssue,
    NewsletterList,
    Subscription,
    User,
    email_canonical,
)
from .signals import account_email_wanted, newsletter_issue_queued

logger = logging.getLogger(__name__)

CONFIRM_SALT = "accounts.newsletters.confirm"
CONFIRM_MAX_AGE = 60 * 60 * 24 * 7
CONFIRM_RESEND_SECONDS = 5 * 60


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def unsubscribe_url(subscription: Subscription) -> str:
    return _absolute(reverse("accounts:newsletter_unsubscribe", args=[subscription.token]))


def subscription_request(email: str, newsletters: list[NewsletterList], user: User | None = None) -> None:
    """Ask ``email`` to confirm joining ``newsletters`` (double opt-in).

    Nobody is added until the link in the email is followed, so a stranger cannot sign someone
    else up. Unsubscribed and bounced addresses go back to pending too: only a fresh confirmation
    brings them back. The response is the same whether or not the address was known.

    A list asked for again within CONFIRM_RESEND_SECONDS of its last request is not mailed again:
    a double click (two requests at once) sends one confirmation, and the form cannot be used to
    fill a stranger's inbox.
    """
    email = email_canonical(email)
    now = timezone.now()
    pending = []
    with transaction.atomic():
        for newsletter in newsletters:
            _, created = Subscription.objects.get_or_create(
                newsletter=newsletter, email=email, defaults={"user": user, "requested_at": now}
            )
            # Locked, and read again: a request at the same moment decides after this one commits.
            subscription = Subscription.objects.select_for_update().get(newsletter=newsletter, email=email)
            if user is not None and subscription.user_id is None:
                subscription.user = user
            asked_just_now = (
                not created
                and subscription.status == Subscription.Status.PENDING
                and (now - subscription.requested_at).total_seconds() < CONFIRM_RESEND_SECONDS
            )
            if subscription.status != Subscription.Status.ACTIVE and not asked_just_now:
                subscription.status = Subscription.Status.PENDING
                subscription.requested_at = now
                pending.append(subscription)
            subscription.save()
    if not pending:
        return
    signed = signing.dumps({"ids": [sub.pk for sub in pending], "email": email}, salt=CONFIRM_SALT)
    context = {
        "newsletters": [sub.newsletter.name for sub in pending],
        "confirm_url": _absolute(reverse("accounts:newsletter_confirm", args=[signed])),
    }
    transaction.on_commit(
        lambda: account_email_wanted.send(
            sender=Subscription, template_prefix="newsletter_confirm", to=email, context=context
        )
    )


def subscription_confirm(signed: str) -> list[Subscription]:
    """Activate the subscriptions a confirmation link names; [] if the link is forged or stale."""
    try:
        payload = signing.loads(signed, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.BadSignature:
        return []
    subscriptions = list(
        Subscription.objects.filter(pk__in=payload["ids"], email=payload["email"]).select_related(
            "newsletter"
        )
    )
    now = timezone.now()
    for subscription in subscriptions:
        if subscription.status == Subscription.Status.PENDING:
            subscription.status = Subscription.Status.ACTIVE
            subscription.confirmed_at = now
            subscription.save(update_fields=["status", "confirmed_at"])
    return [sub for sub in subscriptions if sub.status == Subscription.Status.ACTIVE]


def subscription_unsubscribe(subscription: Subscription) -> None:
    if subscription.status != Subscription.Status.UNSUBSCRIBED:
        subscription.status = Subscription.Status.UNSUBSCRIBED
        subscription.unsubscribed_at = timezone.now()
        subscription.save(update_fields=["status", "unsubscribed_at"])


def subscription_bounce(email: str) -> int:
    """A hard bounce: stop mailing the address on every list until its owner confirms again."""
    return (
        Subscription.objects.filter(email__iexact=email.strip())
        .exclude(status=Subscription.Status.BOUNCED)
        .update(status=Subscription.Status.BOUNCED, unsubscribed_at=timezone.now())
    )


def subscription_complaint(email: str) -> int:
    """A spam complaint: the person no longer wants our mail, so every list stops (as unsubscribed)."""
    return (
        Subscription.objects.filter(email__iexact=email.strip())
        .exclude(status__in=[Subscription.Status.UNSUBSCRIBED, Subscription.Status.BOUNCED])
        .update(status=Subscription.Status.UNSUBSCRIBED, unsubscribed_at=timezone.now())
    )


def mail_events_signature(secret: str, timestamp: int, body: bytes) -> str:
    """HMAC-SHA256 over ``<timestamp>.<body>``: the timestamp is signed so it cannot be refreshed."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def mail_events_verify(header: str, body: bytes, *, now: float | None = None) -> bool:
    """Check ``t=<unix time>,v1=<hex>`` against the shared secret and the replay window."""
    secret = settings.ACCOUNTS_MAIL_EVENTS_SECRET
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > settings.ACCOUNTS_MAIL_EVENTS_MAX_AGE_SECONDS:
        return False
    expected = mail_events_signature(secret, timestamp, body)
    return bool(secret) and hmac.compare_digest(expected, fields.get("v1", ""))


def mail_event_record(event_id: str, kind: str, email: str) -> MailEvent | None:
    """Record one provider report and act on it; None if this event id was seen before (a replay).

    Hard bounces and complaints stop the address on every list; soft bounces are only recorded
    (the provider retries those itself).
    """
    try:
        with transaction.atomic():
            event = MailEvent.objects.create(event_id=event_id, kind=kind, email=email.strip().lower())
            if kind == MailEvent.Kind.HARD_BOUNCE:
                event.subscriptions_stopped = subscription_bounce(email)
            elif kind == MailEvent.Kind.COMPLAINT:
                event.subscriptions_stopped = subscription_complaint(email)
            event.save(update_fields=["subscriptions_stopped"])
    except IntegrityError:
        return None
    return event


def issue_render_page(issue: NewsletterIssue) -> tuple[str, str]:
    """The page as email HTML and text: title, intro, body and a link to read it on the site."""
    from wagtail.rich_text import expand_db_html

    page = issue.page.specific
    body = getattr(page, "body", None)
    if body is None:
        body_html = ""
    elif isinstance(body, str):
        body_html = expand_db_html(body)
    else:  # a StreamField value renders its own blocks
        body_html = str(body)
    context = {
        "page": page,
        "page_url": page.full_url or _absolute(page.url or "/"),
        "intro": getattr(page, "intro", "") or page.search_description,
        "body_html": body_html,
    }
    _, text, html = email_render("newsletter_issue_body", context)
    return html, text or strip_tags(html)


def issue_queue(issue: NewsletterIssue) -> bool:
    """Freeze the issue's content and start sending it; False if it was already queued.

    The page is rendered before the row is locked, with no transaction open: an embed not stored yet
    is asked of its oEmbed provider as the body renders. The caller must not hold a transaction
    either (the "Send" view is non-atomic)."""
    issue = NewsletterIssue.objects.select_related("page").get(pk=issue.pk)
    if issue.status != NewsletterIssue.Status.DRAFT or issue.page is None:
        return False
    rendered_page_id, (body_html, body_text) = issue.page_id, issue_render_page(issue)
    with transaction.atomic():
        issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
        # Checked again under the lock: a second "Send" may have won while the page rendered.
        if issue.status != NewsletterIssue.Status.DRAFT or issue.page_id != rendered_page_id:
            return False
        issue.subject = issue.subject or issue.page.title
        issue.body_html, issue.body_text = body_html, body_text
        now = timezone.now()
        active = issue.newsletter.subscriptions.filter(status=Subscription.Status.ACTIVE)
        recipients = list(active.values_list("pk", flat=True))
        # One durable row per subscriber, in the same transaction as the status: the list is fixed at
        # "Send", and if the task below is lost the one runner's sweep still finds every row.
        NewsletterDelivery.objects.bulk_create(
            (NewsletterDelivery(issue=issue, subscription_id=pk, state_changed_at=now) for pk in recipients),
            batch_size=1000,
            ignore_conflicts=True,
        )
        issue.recipient_count = len(recipients)
        issue.status = NewsletterIssue.Status.SENDING
        issue.queued_at = now
        issue.save()
        transaction.on_commit(lambda: newsletter_issue_queued.send(sender=NewsletterIssue, issue_id=issue.pk))
    return True
