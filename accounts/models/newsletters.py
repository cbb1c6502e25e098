"""Newsletters: lists editors run, members' subscriptions, issues and one delivery row per recipient."""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone


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


class NewsletterDelivery(models.Model):
    """The claim on sending one issue to one subscriber.

    The row is inserted (claimed) and committed *before* the email goes out, and the unique
    constraint means no second worker can claim it again: if a worker dies between the claim and
    the send, that person misses the issue rather than getting it twice.
    """

    class Status(models.TextChoices):
        CLAIMED = "claimed", "Claimed"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    issue = models.ForeignKey(NewsletterIssue, on_delete=models.CASCADE, related_name="deliveries")
    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CLAIMED)
    claimed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issue", "subscription"], name="delivery_once_per_subscriber")
        ]
        verbose_name_plural = "newsletter deliveries"

    def __str__(self) -> str:
        return f"{self.issue} → {self.subscription.email} ({self.status})"


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
