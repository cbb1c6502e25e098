"""django-scheduler's hooks (our permission checks and event list) and the events app's own numbers."""

# django-scheduler calls these directly (not dotted paths); events.permissions imports no models at load.
from events.permissions import (  # noqa: F401  settings names django-scheduler reads
    calendar_editable_by as CHECK_CALENDAR_PERM_FUNC,
)
from events.permissions import (  # noqa: F401
    event_editable_by as CHECK_EVENT_PERM_FUNC,
)
from events.permissions import (  # noqa: F401
    occurrence_editable_by as CHECK_OCCURRENCE_PERM_FUNC,
)
from events.scheduler_hooks import scheduler_events as GET_EVENTS_FUNC  # noqa: F401

from .site import env

FIRST_DAY_OF_WEEK = 1
EVENTS_WAITING_OFFER_HOURS = env.int("EVENTS_WAITING_OFFER_HOURS", default=24)
EVENTS_REMINDER_HOURS = env.int("EVENTS_REMINDER_HOURS", default=24)
