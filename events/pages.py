"""Wagtail pages for events: an index with list, month and week views, and a page per scheduler event."""

from datetime import date, datetime, time, timedelta

from django.db import models
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from wagtail.admin.panels import FieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.fields import RichTextField
from wagtail.models import Page

from .display import month_from_param, month_grid, occurrences_for_display
from .selectors import events_visible_to, occurrences_between, places_taken, ticket_types_for


def _parse_day(value: str | None, default: date) -> date:
    try:
        return date.fromisoformat(value) if value else default
    except ValueError:
        return default


class EventIndexPage(RoutablePageMixin, Page):
    """Lists the published events (all calendars, or one) as a list, a month grid or a week."""

    intro = RichTextField(blank=True)
    calendar = models.ForeignKey(
        "schedule.Calendar",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Only this calendar's events; empty for every public calendar.",
    )

    content_panels = Page.content_panels + [FieldPanel("intro"), FieldPanel("calendar")]
    parent_page_types = ["home.HomePage", "wagtailcore.Page"]
    subpage_types = ["events.EventPage"]

    def _events(self, request):
        events = events_visible_to(request.user).filter(detail__published=True)
        if self.calendar_id:
            events = events.filter(calendar_id=self.calendar_id)
        return events

    def _feed_context(self, request) -> dict:
        feed = (
            reverse("events:calendar_feed", args=[self.calendar.slug])
            if self.calendar_id
            else reverse("events:feed")
        )
        return {
            "feed_url": request.build_absolute_uri(feed),
            "webcal_url": "webcal://" + request.build_absolute_uri(feed).split("://", 1)[1],
        }

    def _window_context(self, request, start: date, end: date, view: str, **extra):
        zone = timezone.get_current_timezone()
        occurrences = occurrences_for_display(
            occurrences_between(
                self._events(request),
                datetime.combine(start, time.min, zone),
                datetime.combine(end, time.min, zone),
            )
        )
        return {
            "view": view,
            "occurrences": occurrences,
            "window_start": start,
            "window_end": end - timedelta(days=1),
            **self._feed_context(request),
            **extra,
        }

    @path("")
    def list_view(self, request):
        today = timezone.localdate()
        start = _parse_day(request.GET.get("from"), today)
        context = self._window_context(
            request,
            start,
            start + timedelta(days=90),
            "list",
            next_from=(start + timedelta(days=90)).isoformat(),
        )
        return self.render(request, context_overrides=context)

    @path("month/")
    def month_view(self, request):
        grid = month_grid(
            self._events(request), month_from_param(request.GET.get("month"), timezone.localdate())
        )
        context = {"view": "month", "grid": grid, **self._feed_context(request)}
        return self.render(request, context_overrides=context, template="events/event_index_month.html")

    @path("week/")
    def week_view(self, request):
        day = _parse_day(request.GET.get("day"), timezone.localdate())
        monday = day - timedelta(days=day.weekday())
        context = self._window_context(request, monday, monday + timedelta(days=7), "week")
        days = [(monday + timedelta(n), []) for n in range(7)]
        for occurrence in context["occurrences"]:
            index = (occurrence.local_start.date() - monday).days
            if 0 <= index < 7:
                days[index][1].append(occurrence)
        context.update(
            days=days,
            previous_week=(monday - timedelta(days=7)).isoformat(),
            next_week=(monday + timedelta(days=7)).isoformat(),
        )
        return self.render(request, context_overrides=context, template="events/event_index_week.html")


class EventPage(Page):
    """An event described with Wagtail's tools, linked to the scheduler event that carries its dates."""

    event = models.OneToOneField(
        "schedule.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="page"
    )
    intro = models.CharField(max_length=255, blank=True)
    body = RichTextField(blank=True)

    content_panels = Page.content_panels + [FieldPanel("event"), FieldPanel("intro"), FieldPanel("body")]
    parent_page_types = ["events.EventIndexPage"]
    subpage_types: list[str] = []

    def get_context(self, request, *args, **kwargs):
        from .federation import event_interest_count  # it reads social's models, loaded after ours

        context = super().get_context(request, *args, **kwargs)
        if self.event_id:
            event = get_object_or_404(events_visible_to(request.user), pk=self.event_id)
            now = timezone.now()
            upcoming = occurrences_for_display(
                occurrences_between(
                    events_visible_to(request.user).filter(pk=event.pk), now, now + timedelta(days=120)
                )[:12]
            )
            ticket_types = ticket_types_for(event, upcoming[0].original_start) if upcoming else []
            for ticket_type in ticket_types:
                # Places left on the next date: each date has its own quota.
                taken = places_taken(ticket_type, upcoming[0].original_start, now=now)
                ticket_type.left = max(ticket_type.quota - taken, 0)
            context.update(
                fediverse_interested=event_interest_count(event.pk, page=self),
                scheduled=event,
                upcoming=upcoming,
                ticket_types=ticket_types,
            )
        return context

    def federation_object_key(self) -> str:
        """Read by social.registry: the page federates its event, under the key the event already has."""
        from .federation import page_object_key

        return page_object_key(self)

    def federation_payload(self) -> dict:
        """Read by social through settings.SOCIAL_FEDERATED_PAGE_MODELS: the event as an Event object."""
        from .payload import event_page_payload

        return event_page_payload(self)
