"""The events demo: calendars, an organiser-owned calendar, a weekly market with a cancelled date, pages."""

import pytest
from schedule.models import Event

from events.models import CalendarOwnership, TicketType
from events.pages import EventIndexPage, EventPage

pytestmark = pytest.mark.django_db


def test_events_demo_seed_creates_calendars_events_tickets_pages_and_is_idempotent():
    from accounts.demo import seed as seed_accounts
    from events.demo import seed
    from home.demo import seed as seed_home

    seed_accounts()
    seed_home()
    seed()
    seed()
    otto = CalendarOwnership.objects.get(calendar__slug="otto-workshops")
    assert otto.owners.filter(email="organiser@example.org").exists()
    market = Event.objects.get(title="Saturday market")
    assert market.rule.frequency == "WEEKLY" and market.detail.published
    assert market.occurrence_set.filter(cancelled=True).count() == 1
    assert TicketType.objects.filter(price__gt=0, product__isnull=False).count() == 1
    assert TicketType.objects.filter(price=0).count() == 1
    assert Event.objects.count() == 4
    assert EventIndexPage.objects.count() == 1 and EventPage.objects.count() == 4
