"""The ActivityPub transport: turns the DAG's OutboundActivity into a stored AS2 activity and deliveries."""

from django.db import transaction
from django.utils import timezone

from social.transport import OutboundActivity, TransportReceipt

from . import ids
from .actors import local_actor_for_author, local_actor_get
from .delivery import activity_record, deliveries_create, follower_inboxes
from .models import Activity, Delivery, FederatedObject, LocalActor
from .objects import object_build, tombstone_build, with_context


def _authors(payload) -> list[LocalActor]:
    return [
        local_actor_for_author(author["slug"], author.get("name") or author["slug"])
        for author in payload.get("authors") or []
        if author.get("slug")
    ]


def _object_store(activity: OutboundActivity, actor: LocalActor) -> tuple[FederatedObject, list[LocalActor]]:
    payload = activity.payload
    existing = FederatedObject.objects.filter(object_key=activity.object_key).first()
    if activity.activity_type == "Delete":
        if existing is None:
            raise ValueError(f"Delete of {activity.object_key}, which was never federated")
        now = timezone.now()
        existing.deleted = existing.deleted or now
        existing.save(update_fields=["deleted"])
        authors = list(LocalActor.objects.filter(username__in=_attributed_usernames(existing.data)))
        return existing, authors
    authors = _authors(payload)
    attributed = [ids.actor_id(a.username) for a in authors] or [ids.actor_id(actor.username)]
    article = object_build(
        activity.object_key,
        payload,
        attributed_to=attributed,
        audience=ids.actor_collection(actor.username, "followers"),
    )
    fields = {
        "object_type": article["type"],
        "actor": actor,
        "url": article["url"],
        "data": article,
        "updated": timezone.now(),
        "deleted": None,
    }
    obj, created = FederatedObject.objects.update_or_create(object_key=activity.object_key, defaults=fields)
    obj.authors.set(authors)
    if created and payload.get("published"):
        FederatedObject.objects.filter(pk=obj.pk).update(published=payload["published"])
    return obj, authors


def _attributed_usernames(article: dict) -> list[str]:
    attributed = article.get("attributedTo") or []
    if isinstance(attributed, str):
        attributed = [attributed]
    return [name for name in (ids.local_username(uri) for uri in attributed) if name]


class ActivityPubTransport:
    """Implements social.transport.Transport; idempotent on activity_id."""

    name = "activitypub"

    def deliver(self, activity: OutboundActivity) -> TransportReceipt:
        with transaction.atomic():
            actor = local_actor_get(activity.actor)
            existing = Activity.objects.filter(activity_id=activity.activity_id).first()
            if existing is not None:
                count = Delivery.objects.filter(activity=existing).count()
                return TransportReceipt(self.name, count, f"already recorded as {existing.data['id']}")
            if (
                activity.activity_type == "Delete"
                and not FederatedObject.objects.filter(object_key=activity.object_key).exists()
            ):
                return TransportReceipt(self.name, 0, f"{activity.object_key} was never federated")
            obj, authors = _object_store(activity, actor)
            if activity.activity_type == "Delete":
                body = tombstone_build(obj.object_key, obj.object_type, obj.deleted.isoformat())
            else:
                body = obj.data
            data = {
                "@context": with_context({})["@context"],
                "id": ids.activity_url(activity.activity_id),
                "type": activity.activity_type,
                "actor": ids.actor_id(actor.username),
                "published": timezone.now().isoformat(),
                "to": obj.data.get("to", [ids.PUBLIC]),
                "cc": obj.data.get("cc", [])
                + [ids.actor_collection(a.username, "followers") for a in authors],
                "object": body,
            }
            recorded, _ = activity_record(
                activity_id=activity.activity_id, actor=actor, data=data, obj=obj, flow_id=activity.flow_id
            )
            inboxes = follower_inboxes([actor, *authors])
            scheduled = deliveries_create(recorded, inboxes)
        return TransportReceipt(
            self.name,
            len(scheduled),
            f"{activity.activity_type} {obj.object_key} to {len(inboxes)} inboxes",
        )


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
            key = f"page:{page.pk}"
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
