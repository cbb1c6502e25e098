"""The default transport: the activity stays in the site's activity log (no network)."""

from django.utils import timezone

from social.models import Activity
from social.transport import OutboundActivity, TransportReceipt


class ActivityLogTransport:
    """Marks the activity as transported in the activity log; idempotent on activity_id."""

    name = "activity-log"

    def deliver(self, activity: OutboundActivity) -> TransportReceipt:
        marked = Activity.objects.filter(
            activity_id=activity.activity_id, transported_at__isnull=True
        ).update(transported_at=timezone.now(), transport=self.name)
        if not Activity.objects.filter(activity_id=activity.activity_id).exists():
            Activity.objects.create(
                activity_id=activity.activity_id,
                activity_type=activity.activity_type,
                object_type=activity.object_type,
                actor=activity.actor,
                object_key=activity.object_key,
                payload=dict(activity.payload),
                flow_id=activity.flow_id,
                transported_at=timezone.now(),
                transport=self.name,
            )
            marked = 1
        detail = "recorded in the activity log" if marked else "already in the activity log"
        return TransportReceipt(transport=self.name, deliveries_scheduled=0, detail=detail)
