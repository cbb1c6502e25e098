"""Newsletters: lists editors run, members' subscriptions, issues and one durable delivery per recipient."""

import secrets
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from durable.graph import State, StateGraph
from durable.models import StatefulModel, state_field
from durable.retry import RetryPolicy


def new_token() -> str:
    return secrets.token_urlsafe(32)


class NewsletterList(models.Model):
    """A mailing list editors create in the Wagtail admin."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    description = models.TextField(blank=True)
    is_public = models.BooleanField(default=True, help_text="Offer it on the sign-up and dashboard pages.")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "newsletter"

    def __str__(self) -> str:
        return self.name


class Subscription(models.Model):
    """One address on one list. Unsubscribed and bounced rows are kept so the choice sticks."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for confirmation"
        ACTIVE = "active", "Subscribed"
        UNSUBSCRIBED = "unsubscribed", "Unsubscribed"
        BOUNCED = "bounced", "Bounced"

    newsletter = models.ForeignKey(NewsletterList, on_delete=models.CASCADE, related_name="subscriptions")
    email = models.EmailField()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="subscriptions",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # The secret in confirmation and unsubscribe links; it never changes, so old emails keep working.
    token = models.CharField(max_length=64, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    requested_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["newsletter", "email"], name="subscription_once_per_list")
        ]
        indexes = [models.Index(fields=["newsletter", "status"])]

    def __str__(self) -> str:
        return f"{self.email} on {self.newsletter}"


class NewsletterIssue(models.Model):
    """One mailing of a Wagtail page to a list; the rendered body is frozen when it is queued."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"

    newsletter = models.ForeignKey(NewsletterList, on_delete=models.PROTECT, related_name="issues")
    page = models.ForeignKey(
        "wagtailcore.Page",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="e.g. a blog post",
    )
    subject = models.CharField(max_length=200, blank=True, help_text="Defaults to the page title.")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT, editable=False)
    body_html = models.TextField(blank=True, editable=False)
    body_text = models.TextField(blank=True, editable=False)
    recipient_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    queued_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "newsletter issue"

    def __str__(self) -> str:
        return self.subject or (self.page.title if self.page else f"Issue {self.pk}")


class NewsletterDeliveryGraph(StateGraph):
    """One issue to one subscriber, worked by the one runner (`durable/`): its rows are written with the
    issue's "Send", in the same transaction, so the list is fixed when an editor presses it."""

    queued = State(
        initial=True,
        handler="delivery_prepare",
        timeout=60,
        transitions=["sending", "skipped", "failed"],
        label="Queued",
    )
    sending = State(
        handler="delivery_send",
        timeout=120,  # one email; a worker gone this long is dead and its row stalled
        # A mail server out for a few hours: 5, 10, 20, 40, 60, 60, 60 minutes apart.
        retry=RetryPolicy(max_attempts=8, base_seconds=300, cap_seconds=3600),
        transitions=["sent", "unconfirmed", "skipped", "failed"],
        label="Sending",
    )
    sent = State(terminal=True, label="Sent")
    # The subscriber left (unsubscribed, bounced) between "Send" and their turn.
    skipped = State(terminal=True, label="Not needed")
    # A worker died after handing the message to the mail server and before recording the answer:
    # it may or may not have gone out, and it is not sent again (see `delivery_send`).
    unconfirmed = State(terminal=True, label="Maybe sent (worker died mid-send)")
    failed = State(terminal=True, failure=True, label="Failed")


class NewsletterDelivery(StatefulModel):
    """Sending one issue to one subscriber: a durable row the one runner moves, never more than one email.

    `smtp_started_at` is the idempotency guard: written and committed just before the message goes to
    the mail server, cleared again if the server certainly refused it. `finished_at` is written by the
    handler as soon as it knows the outcome, before the runner records the state, so the last delivery
    of an issue can tell that every other one is done (see `accounts.newsletter_deliveries`).
    """

    state_graph = NewsletterDeliveryGraph

    issue = models.ForeignKey(NewsletterIssue, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    state = state_field(NewsletterDeliveryGraph)
    smtp_started_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The mail server's answer for this address (the runner's `last_error` is its own retry record).
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscription"], name="delivery_once_per_subscriber")
        ]
        verbose_name_plural = "newsletter deliveries"

    def __str__(self) -> str:
        return f"{self.issue} → {self.subscription.email} ({self.state})"

    # Handlers of the graph's states (run by durable.runner outside any transaction).
    def delivery_prepare(self, now: datetime) -> str:
        from accounts.newsletter_deliveries import delivery_prepare

        return delivery_prepare(self, now)

    def delivery_send(self, now: datetime) -> str:
        from accounts.newsletter_deliveries import delivery_send

        return delivery_send(self, now)

    def state_failed(self, error: str, now: datetime) -> None:
        """The runner failed the row itself (workers kept dying on it): it is finished, so the issue
        can close once the others are."""
        from accounts.newsletter_deliveries import delivery_given_up

        delivery_given_up(self, now, error)


class MailEvent(models.Model):
    """A bounce or complaint our mail provider reported, once per provider event id.

    The unique id is what makes the webhook replay-safe: a report delivered (or replayed) twice finds
    its row and changes nothing, so a member who re-subscribed since is not bounced again.
    """

    class Kind(models.TextChoices):
        HARD_BOUNCE = "hard_bounce", "Hard bounce"
        SOFT_BOUNCE = "soft_bounce", "Soft bounce"
        COMPLAINT = "complaint", "Complaint"

    event_id = models.CharField(max_length=200, unique=True)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    email = models.EmailField()
    received_at = models.DateTimeField(default=timezone.now)
    subscriptions_stopped = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["email"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.email}"
