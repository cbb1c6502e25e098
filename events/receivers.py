"""Signal receivers for events: issue tickets for ticket lines, refresh fragments, report a saved or
deleted event to the fediverse."""

from typing import Any

from cms.fragments import fragment_source_changed
from edge.front_door import front_door_refresh_tags

from . import federation, tickets


def on_order_placed(sender, order, user=None, **kwargs) -> None:
    tickets.tickets_issue_for_order(order)


def on_events_changed(sender: Any, instance: Any = None, **kwargs: Any) -> None:
    # An event moved, cancelled, published or re-categorised: the calendar's fragments render again,
    # and the door's copies of the pages, the calendar's and the event's own are refreshed.
    fragment_source_changed("events")  # home refreshes the door's Wagtail pages that may show them
    front_door_refresh_tags({"calendar", *(f"event:{pk}" for pk in _event_ids(sender, instance))})


def on_places_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    # A booking or a ticket type changes the places left shown on the event's dates.
    ticket_type = instance if sender._meta.label == "events.TicketType" else instance.ticket_type
    event_id = ticket_type.event_id
    front_door_refresh_tags({f"event:{event_id}"})


def _event_ids(sender: Any, instance: Any) -> set[int]:
    label = sender._meta.label
    if label == "schedule.Event":
        return {instance.pk}
    if label == "schedule.Rule":
        return set(instance.event_set.values_list("pk", flat=True))
    return {instance.event_id} if getattr(instance, "event_id", None) else set()


def on_event_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    # However an event was made or changed (our forms, django-scheduler's views, the admin, the seed data),
    # social hears of it once the change commits; loaddata's raw saves are not changes anyone made.
    if not raw:
        federation.event_report(instance.pk if sender._meta.label == "schedule.Event" else instance.event_id)
