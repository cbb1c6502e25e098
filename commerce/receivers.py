"""Signal receivers for commerce: the customer's email when staff move an order along its pipeline."""

from typing import Any

from django.db import transaction

from commerce import tasks
from commerce.order_status import STATUS_MESSAGES


def on_order_status_changed(sender: Any, order: Any, old_status: str, new_status: str, **kwargs: Any) -> None:
    """Oscar's order_status_changed: queue the customer's email for when the change commits."""
    if new_status not in STATUS_MESSAGES:
        return
    order_id = order.pk
    transaction.on_commit(lambda: tasks.order_status_email.delay(order_id, new_status))
