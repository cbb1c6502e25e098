"""Signal receivers for commerce: queue the refunds the services wrote down."""

from typing import Any

from commerce import tasks


def on_refund_owed(sender: Any, refund_id: int, **kwargs: Any) -> None:
    tasks.refund_send.delay(refund_id)
