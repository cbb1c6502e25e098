"""Signal receivers for events: issue tickets when Oscar places an order with ticket lines."""

from . import services


def on_order_placed(sender, order, user=None, **kwargs) -> None:
    services.tickets_issue_for_order(order)
