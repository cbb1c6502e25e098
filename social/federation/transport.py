"""The one outbound transport: a flow's activity becomes a stored AS2 activity, then Delivery rows.

A page's activity has its object built here (Article, Event, or a Tombstone for a Delete); a hub
activity (object key "hub:…") arrives already built and goes out as it is. The behavior driver calls
`record` for a RecordActivity effect and `schedule` for a ScheduleDelivery effect, each inside the
step's transaction; both are idempotent on activity_id, since a retried step hands them the same
activity again. The signed POSTs happen later, after commit (social/federation/delivery.py).
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from . import ids
from .actors import local_actor_for_author, local_actor_for_profile, local_actor_get
from .blocks import blocked_domains
from .delivery import activity_record, deliveries_create, follower_inboxes
from .models import Activity, Delivery, FederatedObject, LocalActor
from .objects import object_build, object_digest, tombstone_build, with_context

HUB_PREFIX = "hub:"
UNCHANGED = "unchanged: nothing sent"


@dataclass(frozen=True)
class OutboundActivity:
    """An activity our site emits, as the flow log recorded it (the RecordActivity effect's data).

    For a page, `payload` is the page's federation_payload(); for a hub action it holds the activity
    already built and its audience ({"activity", "actor", "inboxes", "followers"})."""

    activity_id: str  # globally unique and stable across retries (a UUID string)
    activity_type: str  # "Create", "Update", "Delete", ...
    actor: str  # local actor username: "blog" or an author's slug
    object_type: str  # "Article", "Note", "Tombstone", ...
    object_key: str  # stable key of the object this activity is about, e.g. "page:42" or "hub:…"
    payload: Mapping[str, Any] = field(default_factory=dict)
    flow_id: int | None = None


@dataclass(frozen=True)
class TransportReceipt:
    """What the transport did with an activity: recorded in the flow log (the effect's result)."""

    transport: str
    deliveries_scheduled: int = 0
    detail: str = ""
    unchanged: bool = False  # an Update of what the fediverse already has: nothing recorded or sent


def _authors(payload) -> list[LocalActor]:
    """The actors an object is attributed to: a post's authors, a product's producers (which carry the
    profile their app gave: they are actors of that app, not CMS authors)."""
    actors = []
    for author in payload.get("authors") or []:
        if not author.get("slug"):
            continue
        if "profile" in author:
            actor = local_actor_for_profile(author["slug"], author["profile"])
        else:
            actor = local_actor_for_author(author["slug"], author.get("name") or author["slug"])
        if actor is not None:
            actors.append(actor)
    return actors


def _object_store(
    activity: OutboundActivity, actor: LocalActor
) -> tuple[FederatedObject, list[LocalActor], bool]:
    """Build and store the object an activity carries (or tombstone it); the flag is False for an Update
    that would send what the fediverse already has (the row is left as it is)."""
    payload = activity.payload
    # The publish transaction may have written the row already (its state), without an object yet.
    existing = FederatedObject.all_objects.filter(object_key=activity.object_key).first()
    first_build = existing is None or existing.actor_id is None
    if activity.activity_type == "Delete":
        if first_build:
            raise ValueError(f"Delete of {activity.object_key}, which was never federated")
        now = timezone.now()
        existing.deleted = existing.deleted or now
        existing.save(update_fields=["deleted"])
        authors = list(LocalActor.objects.filter(username__in=_attributed_usernames(existing.data)))
        return existing, authors, True
    authors = _authors(payload)
    attributed = [ids.actor_id(a.username) for a in authors] or [ids.actor_id(actor.username)]
    # A Create of an object the fediverse saw deleted opens a new period under a new id: remote servers
    # keep the old id's Tombstone and would drop the Create (FederatedObject's doc).
    reopened = not first_build and existing.deleted is not None and activity.activity_type == "Create"
    period = (existing.period if existing is not None else 1) + (1 if reopened else 0)
    article = object_build(
        activity.object_key,
        payload,
        attributed_to=attributed,
        audience=ids.actor_collection(actor.username, "followers"),
        period=period,
    )
    digest = object_digest(article)
    if (
        activity.activity_type == "Update"
        and not first_build
        and existing.deleted is None
        and existing.digest == digest
    ):
        return existing, authors, False
    fields = {
        "object_type": article["type"],
        "actor": actor,
        "url": article["url"],
        "data": article,
        "updated": timezone.now(),
        "deleted": None,
        "period": period,
        "digest": digest,
    }
    if first_build or reopened:
        fields["published"] = payload.get("published") or timezone.now()
    obj, _ = FederatedObject.all_objects.update_or_create(object_key=activity.object_key, defaults=fields)
    obj.authors.set(authors)
    return obj, authors, True


def _attributed_usernames(article: dict) -> list[str]:
    attributed = article.get("attributedTo") or []
    if isinstance(attributed, str):
        attributed = [attributed]
    return [name for name in (ids.local_username(uri) for uri in attributed) if name]


class ActivityPubTransport:
    """Records an outbound activity once, then schedules one Delivery per inbox of its audience."""

    name = "activitypub"

    def record(self, activity: OutboundActivity) -> TransportReceipt:
        """Store the AS2 activity (building a page's object first); idempotent on activity_id."""
        with transaction.atomic():
            existing = Activity.objects.filter(activity_id=activity.activity_id).first()
            if existing is not None:
                return TransportReceipt(self.name, 0, f"already recorded as {existing.data['id']}")
            actor = local_actor_get(activity.actor)
            if activity.object_key.startswith(HUB_PREFIX):
                data, obj = dict(activity.payload["activity"]), None  # built by the hub's service
            elif activity.activity_type == "Delete":
                stored = FederatedObject.objects.filter(object_key=activity.object_key).first()
                if stored is None:
                    return TransportReceipt(self.name, 0, f"{activity.object_key} was never federated")
                # Whoever created the object deletes it (receivers refuse a Delete by anyone else),
                # whatever actor the flow's payload named.
                actor = stored.actor or actor
                obj, data = _page_activity_build(activity, actor)
            else:
                built = _page_activity_build(activity, actor)
                if built is None:
                    return TransportReceipt(self.name, 0, UNCHANGED, unchanged=True)
                obj, data = built
            recorded, _ = activity_record(
                activity_id=activity.activity_id, actor=actor, data=data, obj=obj, flow_id=activity.flow_id
            )
        return TransportReceipt(self.name, 0, f"recorded as {recorded.data['id']}")

    def schedule(self, activity: OutboundActivity) -> TransportReceipt:
        """One Delivery row per inbox of the recorded activity's audience; idempotent on activity_id."""
        with transaction.atomic():
            recorded = (
                Activity.objects.select_related("actor", "object")
                .filter(activity_id=activity.activity_id)
                .first()
            )
            if recorded is None:  # a Delete of an object the fediverse never saw: nothing to send
                return TransportReceipt(self.name, 0, f"{activity.object_key} was never federated")
            if Delivery.objects.filter(activity=recorded).exists():
                count = Delivery.objects.filter(activity=recorded).count()
                return TransportReceipt(self.name, count, f"already scheduled for {recorded.data['id']}")
            inboxes = _audience(activity, recorded)
            scheduled = deliveries_create(recorded, inboxes)
        return TransportReceipt(
            self.name,
            len(scheduled),
            f"{activity.activity_type} {activity.object_key} to {len(inboxes)} inboxes",
        )

    def deliver(self, activity: OutboundActivity) -> TransportReceipt:
        """Record and schedule in one call (the backfill, benches and federation's own tests)."""
        recorded = self.record(activity)
        if recorded.unchanged:
            return recorded
        scheduled = self.schedule(activity)
        return TransportReceipt(
            self.name, scheduled.deliveries_scheduled, f"{recorded.detail}; {scheduled.detail}"
        )


def _page_activity_build(
    activity: OutboundActivity, actor: LocalActor
) -> tuple[FederatedObject, dict] | None:
    """A page's object, stored (or tombstoned), and the activity that carries it; None for an Update
    that would change nothing."""
    obj, authors, changed = _object_store(activity, actor)
    if not changed:
        return None
    if activity.activity_type == "Delete":
        body = tombstone_build(obj.object_key, obj.object_type, obj.deleted.isoformat(), obj.period)
    else:
        body = obj.data
    data = {
        "@context": with_context({})["@context"],
        "id": ids.activity_url(activity.activity_id),
        "type": activity.activity_type,
        "actor": ids.actor_id(actor.username),
        "published": timezone.now().isoformat(),
        "to": obj.data.get("to", [ids.PUBLIC]),
        "cc": obj.data.get("cc", []) + [ids.actor_collection(a.username, "followers") for a in authors],
        "object": body,
    }
    return obj, data


def _audience(activity: OutboundActivity, recorded: Activity) -> list[str]:
    """Where the activity goes: a page's to its actor's and its authors' followers; a hub activity to
    the inboxes it names (and the actor's followers when it says so)."""
    if activity.object_key.startswith(HUB_PREFIX):
        inboxes = list(activity.payload.get("inboxes") or [])
        if activity.payload.get("followers"):
            inboxes += follower_inboxes([recorded.actor])
        blocked = blocked_domains()  # deliveries_create leaves them out too; this keeps the count true
        return sorted({inbox for inbox in inboxes if inbox and not blocked.covers(inbox)})
    attributed = _attributed_usernames(recorded.object.data) if recorded.object else []
    authors = list(LocalActor.objects.filter(username__in=attributed))
    return follower_inboxes([recorded.actor, *authors])


def objects_backfill() -> int:
    """Store every live federated page that has no object yet (pages published before federation was on),
    so the outbox and content negotiation cover all of them. Sends nothing: followers page the outbox."""
    from django.apps import apps
    from django.conf import settings

    stored = 0
    for label in settings.SOCIAL_FEDERATED_PAGE_MODELS:
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        known = set(FederatedObject.objects.values_list("object_key", flat=True))
        for page in model.objects.live().public().order_by("first_published_at"):
            # As social.registry.object_key names it: an EventPage may stand for its event's object.
            own_key = getattr(page, "federation_object_key", None)
            key = own_key() if own_key is not None else f"page:{page.pk}"
            if key in known or not hasattr(page, "federation_payload"):
                continue
            payload = page.federation_payload()
            # A page type may name its actor (events: @events); posts belong to @blog.
            actor = local_actor_get(payload.get("actor") or "blog")
            backfill = OutboundActivity(
                activity_id="backfill",
                activity_type="Create",
                actor=actor.username,
                object_type=payload.get("object_type") or "Article",
                object_key=key,
                payload=payload,
            )
            with transaction.atomic():
                _object_store(backfill, actor)
            stored += 1
    return stored
