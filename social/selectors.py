"""Reads for social: the flow log and staff notifications."""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, Prefetch, QuerySet

from social.behaviors.graph import END
from social.filters import FlowFilterSet
from social.models import Flow, FlowEffect, FlowStep, StaffNotification


def flows_recent(*, status: str = "", limit: int = 100) -> QuerySet[Flow]:
    flows = Flow.objects.annotate(effect_count=Count("effects")).order_by("-created_at", "-id")
    if status:
        flows = flows.filter(status=status)
    return flows[:limit]


def flows_filtered(params: Mapping[str, Any]) -> tuple[FlowFilterSet, QuerySet[Flow]]:
    """The flow log filtered by the staff's choices (kind, status, step, object), newest first."""
    flows = Flow.objects.annotate(effect_count=Count("effects")).order_by("-created_at", "-id")
    filterset = FlowFilterSet(params or None, queryset=flows)
    return filterset, filterset.qs


def flows_for_object_keys(keys: list[str], *, limit: int = 10) -> list[Flow]:
    """The newest flows filed under exactly these keys, those of the first (most specific) key first."""
    if not keys:
        return []
    flows = Flow.objects.filter(object_key__in=keys).order_by("-created_at", "-id")[:limit]
    return sorted(flows, key=lambda flow: keys.index(flow.object_key))


def behavior_step_counts() -> dict[str, dict[str, dict[str, int]]]:
    """Per behavior, per step: flows there now ("running": pending or running, "failed") and steps
    completed ("done"); at END, the finished flows by outcome. Three grouped queries, whatever the size."""
    counts: dict[str, dict[str, dict[str, int]]] = defaultdict(lambda: defaultdict(dict))
    at_cursor = Flow.objects.exclude(cursor="").values_list("behavior", "cursor", "status")
    for behavior, cursor, status, n in at_cursor.annotate(n=Count("id")).order_by():
        label = "failed" if status == Flow.Status.FAILED else "running"
        counts[behavior][cursor][label] = counts[behavior][cursor].get(label, 0) + n
    done = FlowStep.objects.filter(status=FlowStep.Status.DONE).values_list("flow__behavior", "name")
    for behavior, name, n in done.annotate(n=Count("id")).order_by():
        counts[behavior][name]["done"] = n
    finished = Flow.objects.filter(cursor="").values_list("behavior", "status")
    for behavior, status, n in finished.annotate(n=Count("id")).order_by():
        counts[behavior][END][status] = n
    order = {label: i for i, label in enumerate(["running", "failed", "done", *Flow.Status.values])}
    return {
        behavior: {
            step: dict(sorted(labels.items(), key=lambda item: order.get(item[0], len(order))))
            for step, labels in steps.items()
        }
        for behavior, steps in counts.items()
    }


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
