"""Demo events: two calendars, a weekly market with a cancelled date, a paid workshop, a free meetup."""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.utils import timezone
from schedule.models import Calendar, Event

from . import calendars, cancellation, tickets
from .models import CalendarOwnership, EventCategory, EventDetail, TicketType
from .pages import EventIndexPage, EventPage


def _calendar(slug: str, name: str, venue: str, owner_emails=()) -> Calendar:
    from accounts.models import User

    calendar, _ = Calendar.objects.get_or_create(slug=slug, defaults={"name": name})
    ownership, _ = CalendarOwnership.objects.get_or_create(calendar=calendar, defaults={"venue": venue})
    ownership.owners.add(*User.objects.filter(email__in=owner_emails))
    return calendar


def _event(calendar: Calendar, title: str, spec: calendars.EventSpec) -> tuple[Event, bool]:
    event = Event.objects.filter(calendar=calendar, title=title).first()
    if event is None:
        return calendars.event_create(calendar=calendar, spec=spec), True
    # Events seeded before events had details get them now, published.
    EventDetail.objects.get_or_create(
        event=event, defaults={"published": True, "location": spec.location, "category": spec.category}
    )
    return event, False


def _ticket(event: Event, name: str, quota: int, price: str = "0") -> None:
    if not TicketType.objects.filter(event=event, name=name).exists():
        tickets.ticket_type_create(event=event, name=name, quota=quota, price=Decimal(price))


def seed() -> str:
    markets, _ = EventCategory.objects.get_or_create(slug="markets", defaults={"name": "Markets"})
    workshops, _ = EventCategory.objects.get_or_create(slug="workshops", defaults={"name": "Workshops"})
    meetings, _ = EventCategory.objects.get_or_create(slug="meetings", defaults={"name": "Meetings"})
    cooperative = _calendar("cooperative", "Cooperative calendar", "The Rose Ash hall")
    workshop_calendar = _calendar(
        "otto-workshops", "Otto's workshops", "The back room", owner_emails=["organiser@example.org"]
    )

    today = timezone.localdate()
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    first_of_next_month = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    thursday = today + timedelta(days=(3 - today.weekday()) % 7 or 7)
    created = 0

    market, was_created = _event(
        cooperative,
        "Saturday market",
        calendars.EventSpec(
            title="Saturday market",
            start=datetime.combine(saturday, time(9)),
            end=datetime.combine(saturday, time(13)),
            frequency="WEEKLY",
            location="The Rose Ash hall",
            description="Local food, crafts and a café, every Saturday morning.",
            category=markets,
        ),
    )
    created += was_created
    if was_created:
        # The second market falls on a bank-holiday weekend: cancelled, so feeds carry an EXDATE.
        second = timezone.make_aware(datetime.combine(saturday + timedelta(days=7), time(9)))
        cancellation.occurrence_cancel(event=market, original_start=second)

    meeting, was_created = _event(
        cooperative,
        "Members' meeting",
        calendars.EventSpec(
            title="Members' meeting",
            start=datetime.combine(first_of_next_month, time(19)),
            end=datetime.combine(first_of_next_month, time(21)),
            frequency="MONTHLY",
            location="The Rose Ash hall",
            category=meetings,
        ),
    )
    created += was_created
    meetup, was_created = _event(
        workshop_calendar,
        "Open meetup",
        calendars.EventSpec(
            title="Open meetup",
            start=datetime.combine(thursday, time(18, 30)),
            end=datetime.combine(thursday, time(20)),
            frequency="WEEKLY",
            location="The back room",
            description="Bring a project, meet the cooperative.",
            category=meetings,
        ),
    )
    created += was_created
    _ticket(meetup, "Free place", quota=20)
    workshop_day = thursday + timedelta(days=9)
    workshop, was_created = _event(
        workshop_calendar,
        "Bread-baking workshop",
        calendars.EventSpec(
            title="Bread-baking workshop",
            start=datetime.combine(workshop_day, time(10)),
            end=datetime.combine(workshop_day, time(15)),
            location="The back room",
            description="A day of sourdough: take home your own loaf and starter.",
            category=workshops,
        ),
    )
    created += was_created
    _ticket(workshop, "Workshop place", quota=8, price="25.00")
    _pages([market, meeting, meetup, workshop])
    return f"{created} events created"


def _pages(events: list[Event]) -> None:
    from home.models import HomePage

    home = HomePage.objects.first()
    if home is None:
        return
    index = EventIndexPage.objects.child_of(home).first()
    if index is None:
        index = home.add_child(
            instance=EventIndexPage(title="What's on", slug="whats-on", show_in_menus=True)
        )
    for event in events:
        if not EventPage.objects.filter(event=event).exists():
            index.add_child(
                instance=EventPage(
                    title=event.title, slug=f"event-{event.pk}", event=event, intro=event.description
                )
            )
