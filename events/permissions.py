"""Who may edit which calendar, event and occurrence; django-scheduler calls these through its settings.

Staff edit everything; an organiser edits only calendars they (or one of their groups) own; everyone
else edits nothing. Settings import this module, so it imports no models at import time.
"""

from typing import Any


def _is_staff(user: Any) -> bool:
    return bool(user and user.is_authenticated and (user.is_staff or user.is_superuser))


def calendar_editable_by(calendar: Any, user: Any) -> bool:
    """True if `user` may add, move, edit or cancel anything in `calendar`."""
    if not (user and user.is_authenticated):
        return False
    if _is_staff(user):
        return True
    if calendar is None:
        return False
    return _owned(calendar, user)


def _owned(calendar: Any, user: Any) -> bool:
    from django.db.models import Q

    from .models import CalendarOwnership

    return CalendarOwnership.objects.filter(
        Q(owners=user) | Q(owner_groups__in=user.groups.all()), calendar_id=calendar.pk
    ).exists()


def event_editable_by(event: Any, user: Any) -> bool:
    """django-scheduler's CHECK_EVENT_PERM_FUNC: `event` is None when the user is about to add one."""
    if not (user and user.is_authenticated):
        return False
    if event is None:
        # Adding: the calendar check that django-scheduler runs beside this one decides which calendar.
        return _is_staff(user) or organiser_calendars(user).exists()
    return calendar_editable_by(event.calendar, user)


def occurrence_editable_by(occurrence: Any, user: Any) -> bool:
    """django-scheduler's CHECK_OCCURRENCE_PERM_FUNC; None is a not-yet-persisted occurrence."""
    if occurrence is None:
        # Occurrences addressed by date: the event check run beside this one has decided already.
        return bool(user and user.is_authenticated)
    return calendar_editable_by(occurrence.event.calendar, user)


def organiser_calendars(user: Any):
    """The calendars `user` may edit, as a queryset of schedule.Calendar."""
    from django.db.models import Q
    from schedule.models import Calendar

    if _is_staff(user):
        return Calendar.objects.all()
    if not (user and user.is_authenticated):
        return Calendar.objects.none()
    return Calendar.objects.filter(
        Q(ownership__owners=user) | Q(ownership__owner_groups__in=user.groups.all())
    ).distinct()
