"""The hub's transport: hub activities (object key "hub:…") go out as they were built; the rest is passed on.

settings.SOCIAL_TRANSPORT names this class; it hands every other activity (published pages) to the
transport named by settings.SOCIAL_HUB_NEXT_TRANSPORT (federation's ActivityPub transport).
"""

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from social.federation.actors import local_actor_get
from social.federation.blocks import blocked_domains
from social.federation.delivery import activity_record, deliveries_create, follower_inboxes
from social.federation.models import Activity, Delivery
from social.transport import OutboundActivity, TransportReceipt

HUB_PREFIX = "hub:"


class HubTransport:
    name = "hub"

    def deliver(self, activity: OutboundActivity) -> TransportReceipt:
        if not activity.object_key.startswith(HUB_PREFIX):
            return import_string(settings.SOCIAL_HUB_NEXT_TRANSPORT)().deliver(activity)
        payload = activity.payload
        with transaction.atomic():
            existing = Activity.objects.filter(activity_id=activity.activity_id).first()
            if existing is not None:  # a retried step: the deliveries already exist
                count = Delivery.objects.filter(activity=existing).count()
                return TransportReceipt(self.name, count, f"already recorded as {existing.data['id']}")
            actor = local_actor_get(activity.actor)
            inboxes = list(payload.get("inboxes") or [])
            if payload.get("followers"):
                inboxes += follower_inboxes([actor])
            blocked = blocked_domains()  # deliveries_create leaves them out too; this keeps the count true
            inboxes = sorted({inbox for inbox in inboxes if inbox and not blocked.covers(inbox)})
            recorded, _ = activity_record(
                activity_id=activity.activity_id,
                actor=actor,
                data=dict(payload["activity"]),
                flow_id=activity.flow_id,
            )
            scheduled = deliveries_create(recorded, inboxes)
        return TransportReceipt(
            self.name,
            len(scheduled),
            f"{activity.activity_type} {activity.object_key} to {len(inboxes)} inboxes",
        )
