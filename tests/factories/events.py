"""Factories for events: users, organiser calendars, published events with details."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from events import calendars, tickets


def local(days: int, hour: int) -> datetime:
    """A naive local wall-clock time ``days`` from today at ``hour``, as organisers enter it."""
    day = timezone.localdate() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour)


def user(email: str, *, staff: bool = False):
    User = get_user_model()
    person, _ = User.objects.get_or_create(email=email, defaults={"is_staff": staff})
    return person


def organiser_calendar(name: str, owner=None, **kwargs):
    return calendars.calendar_create(name=name, owners=[owner] if owner else [], **kwargs)


def event(calendar, title: str = "Weekly market", *, start: datetime, end: datetime, **spec):
    return calendars.event_create(
        calendar=calendar, spec=calendars.EventSpec(title=title, start=start, end=end, **spec)
    )


def ticket_type(event, *, quota: int = 5, price: str = "0", name: str = "Place", **kwargs):
    return tickets.ticket_type_create(event=event, name=name, quota=quota, price=Decimal(price), **kwargs)
