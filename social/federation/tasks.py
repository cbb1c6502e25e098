"""Thin Celery tasks: process an inbox item, attempt a delivery, sweep for due deliveries."""

from celery import shared_task


@shared_task(name="federation.inbox_item_process")
def inbox_item_process_task(item_id: int) -> str:
    from .inbox import inbox_item_process

    return inbox_item_process(item_id)


@shared_task(name="federation.delivery_attempt")
def delivery_attempt_task(delivery_id: int) -> str:
    from .delivery import delivery_attempt

    return delivery_attempt(delivery_id)


@shared_task(name="federation.deliveries_attempt")
def deliveries_attempt_task(delivery_ids: list[int]) -> dict[str, int]:
    """Attempt a batch of deliveries (claimed, posted and recorded together); counts per outcome."""
    from .delivery import deliveries_attempt

    outcomes: dict[str, int] = {}
    for outcome in deliveries_attempt(delivery_ids).values():
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


@shared_task(name="federation.deliveries_due")
def deliveries_due_task() -> int:
    from .delivery import deliveries_due

    return deliveries_due()
