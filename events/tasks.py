"""Celery tasks for events: thin wrappers run by beat."""

from celery import shared_task

from . import services


@shared_task
def send_reminders() -> int:
    return services.reminders_send_due()


@shared_task
def expire_waiting_list_offers() -> int:
    return services.waiting_list_expire_offers()
