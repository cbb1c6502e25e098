"""Thin Celery tasks for home: purging the front door's copies of the site's pages."""

from celery import shared_task


@shared_task(name="home.front_door_purge")
def front_door_purge() -> int:
    # Sent after the commit that changed content (home/receivers.py): the PURGEs are HTTP.
    from .front_door import front_door_purge_all

    return front_door_purge_all()
