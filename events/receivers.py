"""Signal receivers for events: issue tickets for ticket lines, refresh fragments."""

from typing import Any

from cms.fragments import fragment_source_changed

from . import tickets


def on_order_placed(sender, order, user=None, **kwargs) -> None:
    tickets.tickets_issue_for_order(order)


def on_events_changed(sender: Any, **kwargs: Any) -> None:
    # An event moved, cancelled, published or re-categorised: the calendar's fragments render again.
    fragment_source_changed("events")
