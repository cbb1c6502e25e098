"""The organiser's event form: the calendar preselected, the site's zone searchable in a datalist,
the recurrence in words with its next dates (JSON for the live preview, or a "Preview dates" post),
and each error beside its field."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from schedule.models import Event

from tests.factories import events as f

pytestmark = pytest.mark.django_db

FORM = "/events/manage/new/"


def _selected_calendar(html: str) -> str | None:
    select = html.split('name="calendar"')[1].split("</select>")[0]
    match = re.search(r'<option value="(\d+)" selected>', select)
    return match and match[1]


def test_form_preselects_the_organisers_only_calendar(client, otto, otto_calendar):
    client.force_login(otto)
    assert _selected_calendar(client.get(FORM).content.decode()) == str(otto_calendar.pk)


def test_form_preselects_the_calendar_named_in_the_query(client, staff, otto_calendar, olga_calendar):
    client.force_login(staff)
    assert _selected_calendar(client.get(FORM).content.decode()) is None
    html = client.get(FORM, {"calendar": olga_calendar.slug}).content.decode()
    assert _selected_calendar(html) == str(olga_calendar.pk)


def test_form_time_zone_defaults_to_site_zone_with_searchable_list(client, otto, otto_calendar):
    client.force_login(otto)
    html = client.get(FORM).content.decode()
    field = re.search(r"<input[^>]*name=\"time_zone\"[^>]*>", html)[0]
    assert f'value="{settings.TIME_ZONE}"' in field and 'list="time-zones"' in field
    datalist = html.split('<datalist id="time-zones">')[1].split("</datalist>")[0]
    assert '<option value="America/New_York">' in datalist and datalist.count("<option") > 300


def _post(client, calendar, **changes):
    data = {
        "calendar": calendar.pk,
        "title": "Pottery evening",
        "start": "2026-12-09T19:00",
        "end": "2026-12-09T21:00",
        "time_zone": "Europe/London",
        "frequency": "WEEKLY",
        "repeat_until": "2027-03-31",
        "published": "on",
    }
    data.update(changes)
    return client.post(FORM, {name: value for name, value in data.items() if value is not None})


def test_form_errors_sit_beside_their_fields(client, otto, otto_calendar):
    client.force_login(otto)
    response = _post(client, otto_calendar, end="2026-12-09T18:00", time_zone="Mars/Olympus")
    html = response.content.decode()
    assert response.status_code == 200 and not Event.objects.exists()
    end_field = html.split('for="id_end"')[1].split('class="form-field')[0]
    assert "The event must end after it starts." in end_field
    assert re.search(r'name="end"[^>]*aria-describedby="id_end_error"', end_field)
    assert 'aria-invalid="true"' in end_field
    zone_field = html.split('for="id_time_zone"')[1].split('class="form-field')[0]
    assert "Choose a time zone from the list" in zone_field


def test_recurrence_preview_json_says_rule_and_next_dates(client, otto, otto_calendar):
    client.force_login(otto)
    response = client.get(
        "/events/manage/new/dates.json",
        {
            "start": "2026-12-09T19:00",
            "frequency": "WEEKLY",
            "repeat_until": "2027-03-31",
            "time_zone": "Europe/London",
        },
    )
    assert response.status_code == 200
    data = response.json()
    assert data["words"] == "Every Wednesday until 31 March 2027"
    labels = [d["label"] for d in data["dates"]]
    assert labels == [
        "Wed 9 Dec 2026, 19:00",
        "Wed 16 Dec 2026, 19:00",
        "Wed 23 Dec 2026, 19:00",
        "Wed 30 Dec 2026, 19:00",
        "Wed 6 Jan 2027, 19:00",
    ]
    first = datetime.fromisoformat(data["dates"][0]["start"])
    assert first == datetime(2026, 12, 9, 19, tzinfo=ZoneInfo("Europe/London"))


def test_recurrence_preview_keeps_wall_clock_across_clock_change(client, otto, otto_calendar):
    client.force_login(otto)
    data = client.get(
        "/events/manage/new/dates.json",
        {"start": "2027-03-17T19:00", "frequency": "WEEKLY", "time_zone": "Europe/London"},
    ).json()
    assert data["words"] == "Every Wednesday"
    assert [d["label"][-5:] for d in data["dates"]] == ["19:00"] * 5
    assert [datetime.fromisoformat(d["start"]).utcoffset().total_seconds() for d in data["dates"][1:3]] == [
        0,
        3600,
    ]


def test_recurrence_preview_refuses_strangers_and_missing_start(client, sam, otto, otto_calendar):
    client.force_login(sam)
    assert client.get("/events/manage/new/dates.json", {"start": "2026-12-09T19:00"}).status_code == 403
    client.force_login(otto)
    assert client.get("/events/manage/new/dates.json", {"frequency": "WEEKLY"}).status_code == 400


def test_preview_button_shows_dates_and_creates_nothing(client, otto, otto_calendar):
    client.force_login(otto)
    response = _post(client, otto_calendar, preview="1", title="", published=None)
    html = response.content.decode()
    assert response.status_code == 200 and not Event.objects.exists()
    assert "Every Wednesday until 31 March 2027" in html
    assert '<time datetime="2026-12-16T19:00:00+00:00">Wed 16 Dec 2026, 19:00</time>' in html
    assert "This field is required" not in html
    assert not re.search(r'name="published"[^>]*checked', html)


def test_form_creates_event_in_the_chosen_zone(client, otto, otto_calendar):
    client.force_login(otto)
    response = _post(client, otto_calendar, time_zone="America/New_York")
    event = Event.objects.get()
    assert response.status_code == 302
    assert event.start == datetime(2026, 12, 9, 19, tzinfo=ZoneInfo("America/New_York"))
    assert event.end_recurring_period.astimezone(ZoneInfo("America/New_York")).date() == date(2027, 3, 31)
    assert event.detail.time_zone == "America/New_York"


def test_manage_page_offers_a_new_event_in_each_calendar(client, otto, otto_calendar):
    client.force_login(otto)
    html = client.get("/events/manage/").content.decode()
    assert f'href="/events/manage/new/?calendar={otto_calendar.slug}"' in html
    f.user("nobody@example.org")
