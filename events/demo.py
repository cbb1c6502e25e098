"""Demo calendar: a weekly market and a monthly members' meeting."""

from datetime import timedelta

from django.utils import timezone
from schedule.models import Calendar, Event, Rule


def seed() -> str:
    calendar, _ = Calendar.objects.get_or_create(
        slug="cooperative", defaults={"name": "Cooperative calendar"}
    )
    weekly, _ = Rule.objects.get_or_create(
        name="Weekly", defaults={"frequency": "WEEKLY", "description": "Every week"}
    )
    monthly, _ = Rule.objects.get_or_create(
        name="Monthly", defaults={"frequency": "MONTHLY", "description": "Every month"}
    )
    today = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0)
    saturday = today + timedelta(days=(5 - today.weekday()) % 7)
    created = 0
    for title, start, hours, rule in [
        ("Saturday market", saturday, 4, weekly),
        ("Members' meeting", today.replace(day=1, hour=19) + timedelta(days=31), 2, monthly),
    ]:
        _, was_created = Event.objects.get_or_create(
            title=title,
            calendar=calendar,
            defaults={"start": start, "end": start + timedelta(hours=hours), "rule": rule},
        )
        created += was_created
    return f"{created} events created"
