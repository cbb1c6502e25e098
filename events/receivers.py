"""Signal receivers for events: issue tickets for ticket lines, queue refunds owed, refresh fragments."""

from typing import Any

from cms.fragments import fragment_source_changed

from . import tasks, tickets


def on_order_placed(sender, order, user=None, **kwargs) -> None:
    tickets.tickets_issue_for_order(order)


def on_refunds_owed(sender, booking_ids: list[int], **kwargs) -> None:
    # A cancellation committed with paid seats in it: one refund task each (never SumUp in the request).
    tasks.refunds_queue(booking_ids)


def on_events_changed(sender: Any, **kwargs: Any) -> None:
    # An event moved, cancelled, published or re-categorised: the calendar's fragments render again.
    fragment_source_changed("events")
