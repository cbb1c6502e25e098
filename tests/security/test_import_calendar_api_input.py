"""FullCalendar's drag-and-drop and select endpoints take form input: out-of-range or non-numeric values
are a 400 with nothing changed, never a 500."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from schedule.models import Event

from tests.factories import events as f

pytestmark = pytest.mark.django_db
MOVE_URL = "/events/api/move_or_resize/"


@pytest.fixture
def organiser_client(client):
    organiser = f.user("otto@example.org")
    calendar = f.organiser_calendar("Otto's workshops", organiser)
    day = timezone.localdate() + timedelta(days=3)
    event = f.event(calendar, "Pottery", start=datetime(day.year, day.month, day.day, 10),
                    end=datetime(day.year, day.month, day.day, 12))  # fmt: skip
    client.force_login(organiser)
    client.event = event
    return client


@pytest.mark.parametrize(
    "fields",
    [
        {"delta": str(10**12)},
        {"delta": str(-(10**12))},
        {"delta": str(4_000_000_000)},  # 7,600 years: no drag in a calendar moves an event that far
        {"delta": "1e3"},
        {"delta": "60", "existed": "true", "id": "abc"},
        {"delta": "60", "existed": "true", "id": "9" * 30},
        {"delta": "60", "event_id": "9" * 30},
    ],
    ids=[
        "huge",
        "huge-negative",
        "past-year-9999",
        "float",
        "occurrence-id-text",
        "occurrence-id-huge",
        "event-id-huge",
    ],
)
def test_calendar_move_with_bad_numbers_is_a_400_and_changes_nothing(organiser_client, fields):
    event = organiser_client.event
    before = (event.start, event.end)
    response = organiser_client.post(MOVE_URL, {"event_id": event.pk, "existed": "false", **fields})
    assert response.status_code in (400, 404)
    event.refresh_from_db()
    assert (event.start, event.end) == before


def test_calendar_select_create_with_out_of_range_dates_is_a_400(organiser_client):
    calendar = organiser_client.event.calendar
    response = organiser_client.post(
        "/events/api/select_create/",
        {"start": "0001-01-01T00:00:00+14:00", "end": "0001-01-01T01:00:00", "calendar_slug": calendar.slug},
    )
    assert response.status_code == 400
    assert Event.objects.filter(calendar=calendar).count() == 1
