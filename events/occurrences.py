"""Writes for one date of a recurring event: move it, stretch it, make it a stored occurrence."""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from schedule.models import Event, Occurrence

from .calendars import event_changed
from .reminders import reminders_reschedule
from .selectors import occurrence_get


def occurrence_persisted(event: Event, original_start: datetime) -> Occurrence:
    occurrence = occurrence_get(event, original_start)
    if occurrence is None:
        raise ValidationError("No such occurrence.")
    if occurrence.pk is None:
        occurrence.save()
    return occurrence


@transaction.atomic
def occurrence_shift(*, occurrence: Occurrence, delta: timedelta, resize: bool = False) -> Occurrence:
    """Move (or, resizing, lengthen) one stored occurrence by `delta`."""
    occurrence.end += delta
    if not resize:
        occurrence.start += delta
    occurrence.save()
    event_changed(occurrence.event)
    return occurrence


@transaction.atomic
def occurrence_move(*, event: Event, original_start: datetime, new_start: datetime) -> Occurrence:
    """Move one occurrence (keeping its length); feeds carry it as a RECURRENCE-ID override."""
    occurrence = occurrence_persisted(event, original_start)
    occurrence.move(new_start, new_start + (occurrence.end - occurrence.start))
    reminders_reschedule(event, original_start)
    event_changed(event)
    return occurrence
