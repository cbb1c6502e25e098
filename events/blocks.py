"""StreamField blocks events offers to any page: "upcoming events" by calendar, category or count."""

from datetime import timedelta

from django.utils import timezone
from wagtail import blocks


def _calendar_choices():
    from schedule.models import Calendar

    return [("", "All public calendars")] + [(c.slug, c.name) for c in Calendar.objects.order_by("name")]


def _category_choices():
    from .models import EventCategory

    return [("", "Any category")] + [(c.slug, c.name) for c in EventCategory.objects.all()]


class UpcomingEventsBlock(blocks.StructBlock):
    """The next few published occurrences, optionally of one calendar or one category."""

    heading = blocks.CharBlock(required=False, default="Coming up")
    calendar = blocks.ChoiceBlock(choices=_calendar_choices, required=False)
    category = blocks.ChoiceBlock(choices=_category_choices, required=False)
    count = blocks.IntegerBlock(default=5, min_value=1, max_value=50)

    class Meta:
        icon = "date"
        label = "Upcoming events"
        template = "events/blocks/upcoming_events.html"

    def get_context(self, value, parent_context=None):
        from .display import occurrences_for_display
        from .selectors import events_published, occurrences_between

        context = super().get_context(value, parent_context=parent_context)
        events = events_published()
        if value.get("calendar"):
            events = events.filter(calendar__slug=value["calendar"])
        if value.get("category"):
            events = events.filter(detail__category__slug=value["category"])
        now = timezone.now()
        upcoming = occurrences_between(events, now, now + timedelta(days=366))[: value["count"]]
        context["occurrences"] = occurrences_for_display(upcoming)
        return context
