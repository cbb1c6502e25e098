"""Reads for social: the flow log, the activity log (federation's outbox backfill), notifications."""

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from social.models import Activity, Flow, FlowEffect, FlowStep, StaffNotification


def flows_recent(*, status: str = "", limit: int = 100) -> QuerySet[Flow]:
    flows = Flow.objects.annotate(effect_count=Count("effects")).order_by("-created_at", "-id")
    if status:
        flows = flows.filter(status=status)
    return flows[:limit]


def flow_detail(flow_id: int) -> Flow:
    """A flow with its steps (in order) and each step's effects, ready for display."""
    effects = FlowEffect.objects.order_by("seq")
    steps = FlowStep.objects.order_by("seq").prefetch_related(Prefetch("effects", queryset=effects))
    return Flow.objects.prefetch_related(Prefetch("steps", queryset=steps)).get(pk=flow_id)


def flow_status_counts() -> dict[str, int]:
    return dict(Flow.objects.values_list("status").annotate(n=Count("id")).order_by())


def activities_for_outbox(
    *,
    actor: str = "blog",
    since: datetime | None = None,
    types: Iterable[str] = ("Create", "Update", "Delete"),
) -> QuerySet[Activity]:
    """Every activity the site emitted for `actor`, oldest first: what an outbox serves or backfills.

    Each row has activity_id (stable UUID), activity_type, object_type, actor, object_key
    ("page:<id>"), payload (the page's federation_payload() at the time; a Tombstone's page_id, url,
    title for Delete), created_at and transported_at.
    """
    activities = Activity.objects.filter(actor=actor, activity_type__in=list(types))
    if since is not None:
        activities = activities.filter(created_at__gt=since)
    return activities.order_by("created_at", "id")


def object_latest_activities(*, actor: str = "blog") -> dict[str, dict[str, Any]]:
    """The newest activity per object: what is live on the fediverse now (Delete means gone)."""
    latest: dict[str, dict[str, Any]] = {}
    for row in activities_for_outbox(actor=actor).values(
        "activity_id", "activity_type", "object_key", "payload", "created_at"
    ):
        latest[row["object_key"]] = row
    return latest


def notifications_for_user(user, *, limit: int = 50) -> QuerySet[StaffNotification]:
    return StaffNotification.objects.order_by("-created_at", "-id")[:limit]


def notifications_unread_count(user) -> int:
    return StaffNotification.objects.exclude(read_by=user).count()


def notifications_unread_ids(user, ids: Iterable[int]) -> set[int]:
    return set(
        StaffNotification.objects.filter(pk__in=list(ids)).exclude(read_by=user).values_list("pk", flat=True)
    )
