"""The event list django-scheduler's calendar views ask for (settings hand it over: no models at load)."""

from typing import Any


def scheduler_events(request: Any, calendar: Any):
    """django-scheduler's GET_EVENTS_FUNC: its calendar views show only the events the user may see."""
    from .selectors import events_visible_to

    return events_visible_to(request.user).filter(calendar=calendar)
