"""The flow log's filters (django-filter, as Wagtail's own listings use): kind, status, step and object."""

import django_filters
from django.db.models import Q, QuerySet

from social.behaviors import behaviors_all
from social.models import Flow

ACTIVE = "active"  # pending or running: what the graph counts as "running" at a step


def _behavior_choices() -> list[tuple[str, str]]:
    return [(behavior.name, behavior.name) for behavior in behaviors_all()]


def _step_choices() -> list[tuple[str, str]]:
    names = sorted({name for behavior in behaviors_all() for name in behavior.nodes})
    return [(name, name) for name in names]


class FlowFilterSet(django_filters.FilterSet):
    behavior = django_filters.ChoiceFilter(label="Kind", choices=_behavior_choices, empty_label="any kind")
    status = django_filters.ChoiceFilter(
        label="Status",
        choices=[(ACTIVE, "pending or running"), *Flow.Status.choices],
        empty_label="any status",
        method="filter_status",
    )
    step = django_filters.ChoiceFilter(
        label="At step", field_name="cursor", choices=_step_choices, empty_label="any step"
    )
    object = django_filters.CharFilter(label="Object", method="filter_object")

    class Meta:
        model = Flow
        fields: list[str] = []

    def filter_status(self, queryset: QuerySet[Flow], name: str, value: str) -> QuerySet[Flow]:
        if value == ACTIVE:
            return queryset.filter(status__in=Flow.ACTIVE)
        return queryset.filter(status=value)

    def filter_object(self, queryset: QuerySet[Flow], name: str, value: str) -> QuerySet[Flow]:
        """An object key ("page:12"), a page id ("12") or words of the page's title as it was published."""
        value = value.strip()
        if not value:
            return queryset
        match = Q(object_key__icontains=value) | Q(payload__title__icontains=value)
        if value.isdigit():
            match |= Q(page_id=int(value))
        return queryset.filter(match)
