"""Celery tasks for events: thin wrappers run by beat (refunds and reminders are the durable runner's)."""

from celery import shared_task

from . import bookings


@shared_task
def expire_waiting_list_offers() -> int:
    return bookings.waiting_list_expire_offers()
