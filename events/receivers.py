"""Signal receivers for events: issue tickets for ticket lines, refresh fragments, report a saved or
deleted event to the fediverse."""

from typing import Any

from cms.fragments import fragment_source_changed

from . import federation, tickets


def on_order_placed(sender, order, user=None, **kwargs) -> None:
    tickets.tickets_issue_for_order(order)


def on_events_changed(sender: Any, **kwargs: Any) -> None:
    # An event moved, cancelled, published or re-categorised: the calendar's fragments render again.
    fragment_source_changed("events")


def on_event_saved(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    # However an event was made or changed (our forms, django-scheduler's views, the admin, the seed data),
    # social hears of it once the change commits; loaddata's raw saves are not changes anyone made.
    if not raw:
        federation.event_report(instance.pk if sender._meta.label == "schedule.Event" else instance.event_id)
