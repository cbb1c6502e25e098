"""Reads for social: the flow log and staff notifications."""

from collections.abc import Iterable

from django.db.models import Count, Prefetch, QuerySet

from social.models import Flow, FlowEffect, FlowStep, StaffNotification


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


def notifications_for_user(user, *, limit: int = 50) -> QuerySet[StaffNotification]:
    return StaffNotification.objects.order_by("-created_at", "-id")[:limit]


def notifications_unread_count(user) -> int:
    return StaffNotification.objects.exclude(read_by=user).count()


def notifications_unread_ids(user, ids: Iterable[int]) -> set[int]:
    return set(
        StaffNotification.objects.filter(pk__in=list(ids)).exclude(read_by=user).values_list("pk", flat=True)
    )
