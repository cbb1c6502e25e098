"""Hub state: accounts we follow, the timeline, our notes and reactions, notifications and mutes.

Remote accounts are federation's `RemoteActor` rows and our actors its `LocalActor` rows; blocks are
federation's `DomainBlock` / `ActorBlock` (the inbox refuses them), so this app only adds what a
social client needs on top.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from social.federation.models import LocalActor, RemoteActor


class Following(models.Model):
    """One of our actors following a remote account; the remote answers our Follow with Accept/Reject."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        REJECTED = "rejected", "Rejected"

    local_actor = models.ForeignKey(LocalActor, on_delete=models.CASCADE, related_name="hub_following")
    remote_actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="hub_followers")
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING, db_index=True)
    follow_activity_uri = models.CharField(max_length=500, unique=True)  # our Follow's id, for Undo
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["local_actor", "remote_actor"], name="hub_following_unique")
        ]
        ordering = ["-created"]
        permissions = [("use_hub", "Can use the social hub")]

    def __str__(self) -> str:
        return f"{self.local_actor} → {self.remote_actor} ({self.state})"


class TimelineItem(models.Model):
    """A post (Note, Article) or a boost of one, from an account we follow, as received."""

    class Kind(models.TextChoices):
        POST = "post", "Post"
        BOOST = "boost", "Boost"

    uri = models.CharField(max_length=500, unique=True)  # the object id, or the Announce id for boosts
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.POST)
    object_uri = models.CharField(max_length=500, db_index=True)
    object_type = models.CharField(max_length=30, default="Note")
    author = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="hub_posts")
    boosted_by = models.ForeignKey(
        RemoteActor, null=True, blank=True, on_delete=models.CASCADE, related_name="hub_boosts"
    )
    name = models.CharField(max_length=500, blank=True)  # an Article's title
    summary = models.TextField(blank=True)  # the content warning (plain text)
    sensitive = models.BooleanField(default=False)
    content = models.TextField(blank=True)  # sanitised with nh3 on the way in
    url = models.URLField(max_length=500, blank=True)  # the original, on its own server
    in_reply_to = models.CharField(max_length=500, blank=True)
    attachments = models.JSONField(default=list, blank=True)  # [{"url", "alt", "media_type"}]
    hashtags = models.JSONField(default=list, blank=True)
    # False for a mention or reply from someone we do not follow: kept for its notification only.
    on_timeline = models.BooleanField(default=True)
    published = models.DateTimeField(default=timezone.now, db_index=True)
    received = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-published", "-id"]
        indexes = [models.Index(fields=["on_timeline", "-published"], name="hub_timeline_idx")]

    def __str__(self) -> str:
        return self.uri

    @property
    def display_actor(self) -> RemoteActor:
        return self.boosted_by or self.author


class Reaction(models.Model):
    """Our like or boost of a timeline item (an outbound Like / Announce, undone by deleting the row)."""

    class Kind(models.TextChoices):
        LIKE = "like", "Like"
        BOOST = "boost", "Boost"

    item = models.ForeignKey(TimelineItem, on_delete=models.CASCADE, related_name="our_reactions")
    local_actor = models.ForeignKey(LocalActor, on_delete=models.CASCADE, related_name="hub_reactions")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    activity_uri = models.CharField(max_length=500, unique=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["item", "local_actor", "kind"], name="hub_reaction_once")
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.item} by {self.local_actor}"


class Note(models.Model):
    """A short note composed in the hub and published through the behavior DAG."""

    local_actor = models.ForeignKey(LocalActor, on_delete=models.PROTECT, related_name="hub_notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uri = models.CharField(max_length=500, unique=True)
    text = models.TextField()  # as typed
    content = models.TextField()  # the HTML we federate (links for mentions and hashtags)
    summary = models.CharField(max_length=500, blank=True)  # content warning
    in_reply_to = models.CharField(max_length=500, blank=True)
    reply_to_item = models.ForeignKey(
        TimelineItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="our_replies"
    )
    mentions = models.JSONField(default=list, blank=True)  # [{"uri", "handle", "inbox"}]
    hashtags = models.JSONField(default=list, blank=True)
    image = models.ImageField(upload_to="hub/notes/%Y/%m/", blank=True)
    image_alt = models.CharField(max_length=1000, blank=True)
    flow_id = models.BigIntegerField(null=True, blank=True)
    published = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-published"]

    def __str__(self) -> str:
        return self.uri


class Notification(models.Model):
    """Something a remote account did to one of our actors or objects."""

    class Kind(models.TextChoices):
        FOLLOW = "follow", "New follower"
        LIKE = "like", "Like"
        BOOST = "boost", "Boost"
        REPLY = "reply", "Reply"
        MENTION = "mention", "Mention"

    kind = models.CharField(max_length=10, choices=Kind.choices, db_index=True)
    activity_uri = models.CharField(max_length=500, unique=True)  # idempotent on redelivery
    local_actor = models.ForeignKey(
        LocalActor, null=True, blank=True, on_delete=models.CASCADE, related_name="hub_notifications"
    )
    remote_actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="hub_notifications")
    object_uri = models.CharField(max_length=500, blank=True)  # ours (liked/boosted) or theirs (reply)
    content = models.TextField(blank=True)  # sanitised excerpt of a reply or mention
    item = models.ForeignKey(
        TimelineItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    created = models.DateTimeField(default=timezone.now, db_index=True)
    emailed = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} from {self.remote_actor}"


class Mute(models.Model):
    """An account or a whole domain hidden from the timeline and notifications (still federated with)."""

    account = models.ForeignKey(
        RemoteActor, null=True, blank=True, on_delete=models.CASCADE, related_name="hub_mutes"
    )
    domain = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(account__isnull=False, domain="")
                    | models.Q(account__isnull=True) & ~models.Q(domain="")
                ),
                name="hub_mute_account_xor_domain",
            ),
            models.UniqueConstraint(
                fields=["account"], name="hub_mute_account_once", condition=models.Q(account__isnull=False)
            ),
            models.UniqueConstraint(
                fields=["domain"], name="hub_mute_domain_once", condition=~models.Q(domain="")
            ),
        ]

    def __str__(self) -> str:
        return str(self.account) if self.account_id else self.domain


class ReadMarker(models.Model):
    """How far one editor has read the timeline and the notifications: anything with a higher id is new.

    A marker per editor (as Mastodon keeps them) rather than a flag per notification: editors read
    independently, one editor looking marks nothing read for the others, and it stays one row per
    editor however much arrives. Ids grow in arrival order, which is the order "new" means.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="hub_marker")
    timeline_last_read_id = models.BigIntegerField(default=0)
    notifications_last_read_id = models.BigIntegerField(default=0)
    updated = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user}: {self.timeline_last_read_id}/{self.notifications_last_read_id}"


class SentBlock(models.Model):
    """A Block one of our actors sent for an account block, kept so unblocking can Undo exactly it."""

    local_actor = models.ForeignKey(LocalActor, on_delete=models.CASCADE, related_name="hub_blocks_sent")
    remote_actor = models.ForeignKey(
        RemoteActor, on_delete=models.CASCADE, related_name="hub_blocks_received"
    )
    activity_uri = models.CharField(max_length=500, unique=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["local_actor", "remote_actor"], name="hub_sent_block_once")
        ]

    def __str__(self) -> str:
        return f"{self.local_actor} blocks {self.remote_actor}"
