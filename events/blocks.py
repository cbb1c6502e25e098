"""StreamField blocks events offers to any page: "upcoming events" by calendar, category or count,
rendered from the cached fragment of events/fragments.py."""

from django.utils.safestring import mark_safe
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

    def render(self, value, context=None):
        # The same cached fragment the composed pages use (events/fragments.py), so it is refreshed
        # by the same signals and costs the same fixed queries.
        from cms.fragments import fragment_html

        params = {
            "heading": value.get("heading") or "",
            "calendar": value.get("calendar") or "",
            "category": value.get("category") or "",
            "limit": value.get("count") or 5,
        }
        return mark_safe(fragment_html("events-upcoming", params))
