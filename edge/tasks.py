"""Thin Celery tasks for the edge: refreshing the front door's copies of what a change touched."""

from celery import shared_task


@shared_task(name="edge.front_door_refresh")
def front_door_refresh(tags: list[str]) -> int:
    # Sent after the commit that changed what the tags' pages show (edge.front_door): PURGEs are HTTP.
    from edge.front_door import front_door_refresh_now

    return front_door_refresh_now(tags)
