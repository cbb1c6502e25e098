"""Federation state: actors and keys, remote actors, followers, deliveries, inbox items."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from durable.graph import State, StateGraph
from durable.models import StatefulModel, state_choices, state_field
from durable.retry import RetryPolicy

from .origins import domain_normalise


class LocalActor(models.Model):
    """One of our actors (`@blog`, an author, a producer, `@market`, `@events`), with its RSA key pair."""

    class Kind(models.TextChoices):
        BLOG = "blog", "Blog"
        AUTHOR = "author", "Author"
        PRODUCER = "producer", "Producer"
        PLACEHOLDER = "placeholder", "Placeholder"

    username = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    actor_type = models.CharField(max_length=20, default="Person")
    name = models.CharField(max_length=255)
    summary = models.TextField(blank=True)
    icon_url = models.URLField(blank=True, max_length=500)
    image_url = models.URLField(blank=True, max_length=500)
    profile_url = models.URLField(blank=True, max_length=500)
    manually_approves_followers = models.BooleanField(default=False)
    discoverable = models.BooleanField(default=True)
    private_key_pem = models.TextField(editable=False)
    public_key_pem = models.TextField(editable=False)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["username"]

    def __str__(self) -> str:
        return f"@{self.username}"


class Host(models.Model):
    """A remote server: delivery health (dead after failing too long) and the signature scheme it takes."""

    domain = models.CharField(max_length=255, unique=True)
    dead = models.BooleanField(default=False)
    failing_since = models.DateTimeField(null=True, blank=True)
    last_success = models.DateTimeField(null=True, blank=True)
    last_contact = models.DateTimeField(null=True, blank=True)
    # "" until we learn it; the double knock remembers which scheme the host answered to.
    signature_scheme = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["domain"]

    def __str__(self) -> str:
        return self.domain + (" (dead)" if self.dead else "")


class RemoteActor(models.Model):
    """An actor on another server, as last fetched."""

    uri = models.URLField(max_length=500, unique=True)
    domain = models.CharField(max_length=255, db_index=True)
    username = models.CharField(max_length=255, blank=True)
    name = models.CharField(max_length=255, blank=True)
    actor_type = models.CharField(max_length=50, blank=True)
    url = models.URLField(max_length=500, blank=True)
    icon_url = models.URLField(max_length=500, blank=True)
    inbox = models.URLField(max_length=500, blank=True)
    shared_inbox = models.URLField(max_length=500, blank=True)
    public_key_id = models.CharField(max_length=500, blank=True, db_index=True)
    public_key_pem = models.TextField(blank=True)
    also_known_as = models.JSONField(default=list, blank=True)
    fetched = models.DateTimeField(null=True, blank=True)
    deleted = models.BooleanField(default=False)
    moved_to = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["uri"]

    def __str__(self) -> str:
        return f"@{self.username}@{self.domain}" if self.username else self.uri

    @property
    def delivery_inbox(self) -> str:
        return self.shared_inbox or self.inbox


class Follow(models.Model):
    """A remote actor following one of ours (the followers collection)."""

    class State(models.TextChoices):
        PENDING = "pending", "Awaiting approval"
        ACCEPTED = "accepted", "Accepted"

    local_actor = models.ForeignKey(LocalActor, on_delete=models.CASCADE, related_name="followers")
    remote_actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="follows")
    follow_id = models.CharField(max_length=500, blank=True)  # the remote Follow activity's id
    state = models.CharField(max_length=20, choices=State.choices, default=State.PENDING)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["local_actor", "remote_actor"], name="federation_follow_unique")
        ]
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.remote_actor} → {self.local_actor}"


class BuiltObjects(models.Manager):
    """Objects the transport has built: a row the publish transaction only decided about has no actor
    yet and must not be served, counted or reacted to."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(actor__isnull=False)


class FederatedObject(models.Model):
    """One of our objects and what the fediverse knows about it: one row per object key.

    The publish transaction writes `state` ("live" or "none": decides Create vs Update vs nothing)
    and `created_activity_id`; the transport fills in the object (an Article per blog post) when it
    records the activity, and stamps `deleted` when it sends the Delete (a Tombstone from then on).
    `objects` only sees built objects; `all_objects` also sees rows still waiting for their first build.

    A Create after a Delete opens a new `period`, with an id of its own (Mastodon and Misskey drop a
    Create of an id they hold a Tombstone for; README, "Fresh ids per period"). `digest`: the object
    as last sent (objects.object_digest); an Update that would send the same sends nothing.
    """

    class State(models.TextChoices):
        LIVE = "live"
        NONE = "none"

    object_key = models.CharField(max_length=100, unique=True)  # "page:42"
    page_id = models.BigIntegerField(null=True, blank=True)  # not a FK: the page may be deleted
    state = models.CharField(max_length=8, choices=State.choices, default=State.NONE)
    created_activity_id = models.CharField(max_length=64, blank=True)  # the flow that made it live
    object_type = models.CharField(max_length=30, default="Article")
    actor = models.ForeignKey(
        LocalActor, null=True, blank=True, on_delete=models.PROTECT, related_name="published_objects"
    )
    authors = models.ManyToManyField(LocalActor, blank=True, related_name="authored")
    url = models.URLField(max_length=500, blank=True, db_index=True)  # the HTML page
    data = models.JSONField(default=dict)
    published = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    deleted = models.DateTimeField(null=True, blank=True)
    period = models.PositiveIntegerField(default=1)  # 1 keeps the id the object had before periods
    digest = models.CharField(max_length=64, blank=True)
    pinned = models.BooleanField(default=False, help_text="Shown in the actor's featured collection.")

    objects = BuiltObjects()
    all_objects = models.Manager()  # noqa: DJ012 (a manager, not a field)

    class Meta:
        ordering = ["-published"]
        base_manager_name = "all_objects"

    def __str__(self) -> str:
        return self.data.get("name") or self.object_key


class Activity(models.Model):
    """An activity we emitted; its serialized body is signed per inbox and reused for every POST."""

    activity_id = models.CharField(max_length=100, unique=True)  # the emitter's idempotency key (UUID)
    activity_type = models.CharField(max_length=30)
    actor = models.ForeignKey(LocalActor, on_delete=models.PROTECT, related_name="activities")
    object = models.ForeignKey(
        FederatedObject, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    data = models.JSONField(default=dict)
    body = models.TextField()  # JSON exactly as POSTed, so every inbox gets byte-identical content
    flow_id = models.BigIntegerField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created"]
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return f"{self.activity_type} {self.activity_id}"


class DeliveryGraph(StateGraph):
    """Every state a delivery can be in. The one runner posts pending rows twenty at a time
    (delivery.py's `deliveries_post`) and records each POST's answer before the next goes."""

    pending = State(
        initial=True,
        handler="deliveries_post",
        batch=20,
        # The batch's lease: twenty POSTs of at most two knocks each, with room to spare.
        timeout=settings.FEDERATION_DELIVERY_LEASE_SECONDS,
        # 1, 2, 4 ... minutes apart, capped at a day; given up three days after it was scheduled.
        retry=RetryPolicy(
            max_attempts=30,
            base_seconds=60,
            factor=2,
            cap_seconds=24 * 3600,
            jitter=0,
            give_up_after=settings.FEDERATION_DELIVERY_GIVE_UP_AFTER,
        ),
        transitions=["delivered", "failed", "dead_host"],
        label="Pending",
    )
    delivered = State(terminal=True, label="Delivered")
    # The inbox refused it for good (a 4xx), its server is blocked, or three days of failures.
    failed = State(terminal=True, failure=True, label="Gave up")
    # Its server has not answered for a week (FEDERATION_HOST_DEAD_AFTER): not tried until staff retry.
    dead_host = State(terminal=True, label="Host dead")


class Delivery(StatefulModel):
    """One POST of one activity to one inbox (shared inboxes deduplicated), moved by the one runner."""

    state_graph = DeliveryGraph
    State = state_choices(DeliveryGraph)

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="deliveries")
    inbox = models.URLField(max_length=500)
    host = models.ForeignKey(Host, on_delete=models.CASCADE, related_name="deliveries")
    state = state_field(DeliveryGraph)
    last_status = models.PositiveIntegerField(null=True, blank=True)
    created = models.DateTimeField(default=timezone.now)
    delivered = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["activity", "inbox"], name="federation_delivery_unique")
        ]
        ordering = ["-created"]
        verbose_name_plural = "deliveries"

    def __str__(self) -> str:
        return f"{self.activity} → {self.inbox}"

    @classmethod
    def deliveries_post(cls, deliveries: list["Delivery"], now):
        """Handler of `pending` (a batch): see delivery.py."""
        from .delivery import deliveries_post

        return deliveries_post(deliveries, now)


class DeliveryAttempt(models.Model):
    """Every POST we made for a delivery: nothing is only logged."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="attempt_log")
    at = models.DateTimeField(default=timezone.now)
    scheme = models.CharField(max_length=20)
    status = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.scheme} {self.status or self.error[:40]}"


class InboxItemGraph(StateGraph):
    """Every state an inbox item can be in: the one runner processes received items (inbox.py)."""

    received = State(
        initial=True,
        handler="process",
        timeout=300,  # fetching the actor (and a Move's target) first, then one short transaction
        # A remote server slow to answer our fetch, or our database busy: a few tries over an hour.
        retry=RetryPolicy(max_attempts=5, base_seconds=60, factor=3, cap_seconds=3600),
        transitions=["processed", "ignored", "failed"],
        label="Received",
    )
    processed = State(terminal=True, label="Processed")
    # Valid but not for us: an unknown object, an unsupported type, a claim on another server's ids.
    ignored = State(terminal=True, label="Ignored")
    failed = State(terminal=True, failure=True, label="Failed")


class InboxItem(StatefulModel):
    """A verified activity received in an inbox, processed asynchronously by the one runner."""

    state_graph = InboxItemGraph
    State = state_choices(InboxItemGraph)

    activity_uri = models.CharField(max_length=500, blank=True, db_index=True)
    activity_type = models.CharField(max_length=50)
    actor_uri = models.CharField(max_length=500)
    data = models.JSONField()
    state = state_field(InboxItemGraph)
    received = models.DateTimeField(default=timezone.now)
    processed = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received"]

    def __str__(self) -> str:
        return f"{self.activity_type} from {self.actor_uri}"

    def process(self, now) -> str:
        """Handler of `received`: see inbox.py."""
        from .inbox import inbox_item_handle

        return inbox_item_handle(self, now)

    def state_entered(self, now) -> None:
        from .inbox import inbox_item_done

        inbox_item_done(self)


class Reaction(models.Model):
    """A remote Like or Announce (boost) of one of our objects, or a Join of one of our events.

    A Join (Mobilizon's, Gancio's "I'll attend") is counted as interest only: places are booked on our
    site, so it never holds one. A Leave, or an Undo of the Join, removes it.
    """

    class Kind(models.TextChoices):
        LIKE = "like", "Like"
        ANNOUNCE = "announce", "Boost"
        JOIN = "join", "Interested"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    uri = models.CharField(max_length=500, unique=True)  # the remote activity id, for Undo
    remote_actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="reactions")
    object = models.ForeignKey(FederatedObject, on_delete=models.CASCADE, related_name="reactions")
    created = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "remote_actor", "object"], name="federation_reaction_once_per_actor"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.remote_actor}"


class Comment(models.Model):
    """A remote reply (Create{Note}) to one of our posts, held for moderation."""

    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    uri = models.CharField(max_length=500, unique=True)
    remote_actor = models.ForeignKey(RemoteActor, on_delete=models.CASCADE, related_name="comments")
    object = models.ForeignKey(FederatedObject, on_delete=models.CASCADE, related_name="comments")
    url = models.URLField(max_length=500, blank=True)
    content = models.TextField()  # sanitised with nh3 on the way in
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    published = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["published"]

    def __str__(self) -> str:
        return f"{self.remote_actor} on {self.object}"


class DomainBlock(models.Model):
    """A server we refuse to talk to: its requests are rejected and nothing is delivered to it."""

    # Stored normalised (lower-case, no trailing dot): blocks.domain_candidates compares with that form.
    domain = models.CharField(max_length=255, unique=True)
    reason = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.domain

    def save(self, *args, **kwargs) -> None:
        # Whatever form wrote it (admin, shell, service), "Evil.Example." is kept as "evil.example".
        self.domain = domain_normalise(self.domain)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        self.domain = domain_normalise(self.domain)


class ActorBlock(models.Model):
    """A remote account we refuse to hear from or deliver to."""

    uri = models.URLField(max_length=500, unique=True)
    reason = models.TextField(blank=True)
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.uri
