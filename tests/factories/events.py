"""Factories for events: users, organiser calendars, published events with details, free bookings."""

from datetime import datetime, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from events import bookings, calendars, tickets


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


def weekly_meetup(calendar):
    """A weekly evening meetup whose first date is the day after tomorrow, 18:00 to 20:00."""
    return event(calendar, "Meetup", start=local(2, 18), end=local(2, 20), frequency="WEEKLY")


def free_bookings(event, *emails: str, quota: int = 5):
    """A free ticket type on ``event`` and one place on its first date for each address (each a
    member, made if new); returns the ticket type. Booking confirmations go to the mail outbox."""
    places = ticket_type(event, quota=quota)
    for email in emails:
        bookings.booking_create_free(ticket_type=places, original_start=event.start, user=user(email))
    return places
