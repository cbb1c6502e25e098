"""Permissions: organisers edit only their own calendars, staff everything, the public reads published."""

from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from schedule.models import Event

from events.permissions import calendar_editable_by, event_editable_by, occurrence_editable_by
from tests.factories import events as f

pytestmark = pytest.mark.django_db


def _soon(days=3, hour=10):
    day = timezone.localdate() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour)


@pytest.fixture
def otto_event(otto_calendar):
    return f.event(otto_calendar, "Pottery", start=_soon(), end=_soon(hour=12), frequency="WEEKLY")


@pytest.fixture
def otto_draft(otto_calendar):
    return f.event(otto_calendar, "Secret plans", start=_soon(), end=_soon(hour=12), published=False)


def test_calendar_editable_by_owner_other_organiser_anonymous_and_staff(otto_calendar, otto, olga, staff):
    from django.contrib.auth.models import AnonymousUser

    assert calendar_editable_by(otto_calendar, otto)
    assert not calendar_editable_by(otto_calendar, olga)
    assert not calendar_editable_by(otto_calendar, AnonymousUser())
    assert calendar_editable_by(otto_calendar, staff)


def test_calendar_editable_by_group_member_when_group_owns_it(otto_calendar, sam):
    from django.contrib.auth.models import Group

    group = Group.objects.create(name="Market team")
    otto_calendar.ownership.owner_groups.add(group)
    assert not calendar_editable_by(otto_calendar, sam)
    sam.groups.add(group)
    assert calendar_editable_by(otto_calendar, sam)


def test_event_and_occurrence_checks_follow_the_calendar(otto_event, otto, olga, olga_calendar, sam):
    occurrence = otto_event.get_occurrences(timezone.now(), timezone.now() + timedelta(days=8))[0]
    assert event_editable_by(otto_event, otto) and occurrence_editable_by(occurrence, otto)
    assert not event_editable_by(otto_event, olga)
    assert not occurrence_editable_by(occurrence, olga)
    # Adding an event at all: only people with a calendar.
    assert event_editable_by(None, olga)
    assert not event_editable_by(None, sam)


def test_scheduler_settings_point_at_our_functions():
    from schedule import settings as scheduler_settings

    assert scheduler_settings.CHECK_EVENT_PERM_FUNC is event_editable_by
    assert scheduler_settings.CHECK_CALENDAR_PERM_FUNC is calendar_editable_by
    assert scheduler_settings.CHECK_OCCURRENCE_PERM_FUNC is occurrence_editable_by


def test_scheduler_edit_event_by_other_organiser_refused_and_unchanged(client, otto_event, olga):
    client.force_login(olga)
    url = f"/events/event/edit/{otto_event.calendar.slug}/{otto_event.pk}/"
    response = client.post(url, {"title": "Hijacked", "start": "2030-01-01 10:00", "end": "2030-01-01 11:00"})
    assert response.status_code == 302 and "login" in response["Location"]
    otto_event.refresh_from_db()
    assert otto_event.title == "Pottery"


def test_scheduler_edit_event_by_other_organiser_via_own_calendar_slug_refused(
    client, otto_event, olga, olga_calendar
):
    # Naming a calendar one does own in the URL must not unlock someone else's event.
    client.force_login(olga)
    url = f"/events/event/edit/{olga_calendar.slug}/{otto_event.pk}/"
    response = client.post(url, {"title": "Hijacked", "start": "2030-01-01 10:00", "end": "2030-01-01 11:00"})
    assert response.status_code == 302
    otto_event.refresh_from_db()
    assert otto_event.title == "Pottery"


def test_scheduler_delete_event_by_other_organiser_refused(client, otto_event, olga):
    client.force_login(olga)
    response = client.post(f"/events/event/delete/{otto_event.pk}/")
    assert response.status_code == 302 and "login" in response["Location"]
    assert Event.objects.filter(pk=otto_event.pk).exists()


def test_scheduler_delete_event_by_owner_allowed(client, otto_event, otto):
    client.force_login(otto)
    client.post(f"/events/event/delete/{otto_event.pk}/")
    assert not Event.objects.filter(pk=otto_event.pk).exists()


def test_scheduler_create_event_in_other_calendar_refused(client, otto_calendar, olga):
    client.force_login(olga)
    response = client.post(
        f"/events/event/create/{otto_calendar.slug}/",
        {
            "title": "Spam",
            "start_0": "2030-01-01",
            "start_1": "10:00",
            "end_0": "2030-01-01",
            "end_1": "11:00",
        },
    )
    assert response.status_code == 302 and "login" in response["Location"]
    assert not Event.objects.filter(title="Spam").exists()


def test_scheduler_cancel_occurrence_by_other_organiser_refused(client, otto_event, olga):
    client.force_login(olga)
    start = timezone.localtime(otto_event.start)
    url = f"/events/occurrence/cancel/{otto_event.pk}/{start:%Y/%m/%d/%H/%M/%S}/".replace("/0", "/")
    response = client.post(url)
    assert response.status_code == 302 and "login" in response["Location"]
    assert not otto_event.occurrence_set.filter(cancelled=True).exists()


def test_api_move_by_other_organiser_refused_and_unchanged(client, otto_event, olga):
    client.force_login(olga)
    before = otto_event.start
    response = client.post(
        "/events/api/move_or_resize/", {"id": 1, "event_id": otto_event.pk, "existed": "false", "delta": 60}
    )
    assert response.status_code == 403
    otto_event.refresh_from_db()
    assert otto_event.start == before


def test_api_move_by_anonymous_refused(client, otto_event):
    response = client.post(
        "/events/api/move_or_resize/", {"event_id": otto_event.pk, "existed": "false", "delta": 60}
    )
    assert response.status_code in (403, 302)
    otto_event.refresh_from_db()
    assert otto_event.end - otto_event.start == timedelta(hours=2)


def test_api_move_by_owner_moves(client, otto_event, otto):
    client.force_login(otto)
    before = otto_event.start
    response = client.post(
        "/events/api/move_or_resize/", {"event_id": otto_event.pk, "existed": "false", "delta": 60}
    )
    assert response.json() == {"status": "OK"}
    otto_event.refresh_from_db()
    assert otto_event.start == before + timedelta(hours=1)


def test_api_move_by_staff_moves(client, otto_event, staff):
    client.force_login(staff)
    response = client.post(
        "/events/api/move_or_resize/", {"event_id": otto_event.pk, "existed": "false", "delta": 30}
    )
    assert response.status_code == 200


def test_api_select_create_in_other_calendar_refused(client, otto_calendar, olga):
    client.force_login(olga)
    response = client.post(
        "/events/api/select_create/",
        {"start": "2030-01-01T10:00:00", "end": "2030-01-01T11:00:00", "calendar_slug": otto_calendar.slug},
    )
    assert response.status_code == 403
    assert not Event.objects.filter(calendar=otto_calendar).exists()


def test_api_select_create_by_anonymous_refused(client, otto_calendar):
    response = client.post(
        "/events/api/select_create/",
        {"start": "2030-01-01T10:00:00", "end": "2030-01-01T11:00:00", "calendar_slug": otto_calendar.slug},
    )
    assert response.status_code == 403


def test_api_select_create_by_owner_makes_unpublished_draft(client, otto_calendar, otto):
    client.force_login(otto)
    response = client.post(
        "/events/api/select_create/",
        {"start": "2030-01-01T10:00:00", "end": "2030-01-01T11:00:00", "calendar_slug": otto_calendar.slug},
    )
    assert response.status_code == 200
    event = Event.objects.get(calendar=otto_calendar)
    assert event.detail.published is False


def _api(client, **params):
    now = timezone.now()
    query = {
        "start": (now - timedelta(days=1)).isoformat(),
        "end": (now + timedelta(days=30)).isoformat(),
        **params,
    }
    response = client.get("/events/api/occurrences", query)
    assert response.status_code == 200
    return {item["title"] for item in response.json()}


def test_api_occurrences_public_reads_published_only(client, otto_event, otto_draft):
    assert _api(client) == {"Pottery"}


def test_api_occurrences_owner_sees_own_drafts_other_organiser_does_not(
    client, otto_event, otto_draft, otto, olga
):
    client.force_login(olga)
    assert _api(client) == {"Pottery"}
    client.force_login(otto)
    assert _api(client) == {"Pottery", "Secret plans"}


def test_api_occurrences_private_calendar_hidden_from_public(client, otto_event, otto_calendar):
    otto_calendar.ownership.is_public = False
    otto_calendar.ownership.save()
    assert _api(client) == set()


def test_api_occurrences_filters_by_calendar(client, otto_event, olga_calendar):
    f.event(olga_calendar, "Flea market", start=_soon(), end=_soon(hour=12))
    assert _api(client, calendar_slug=olga_calendar.slug) == {"Flea market"}


def test_scheduler_event_view_of_draft_is_404_for_public_and_other_organiser(client, otto_draft, olga, otto):
    assert client.get(f"/events/event/{otto_draft.pk}/").status_code == 404
    client.force_login(olga)
    assert client.get(f"/events/event/{otto_draft.pk}/").status_code == 404
    client.force_login(otto)
    assert client.get(f"/events/event/{otto_draft.pk}/").status_code == 200


def test_scheduler_month_view_hides_drafts_from_public(client, otto_event, otto_draft, otto_calendar):
    response = client.get(f"/events/calendar/month/{otto_calendar.slug}/")
    assert response.status_code == 200
    assert b"Secret plans" not in response.content


def test_occurrence_page_of_draft_is_404_for_public(client, otto_draft):
    stamp = int(otto_draft.start.timestamp())
    assert client.get(f"/events/o/{otto_draft.pk}/{stamp}/").status_code == 404


def test_manage_pages_refused_to_non_organisers(client, sam, otto_event):
    client.force_login(sam)
    assert client.get("/events/manage/").status_code == 403
    assert client.get("/events/manage/new/").status_code == 403
    assert client.get(f"/events/manage/{otto_event.pk}/").status_code == 403
    assert client.get("/events/check-in/").status_code == 403


def test_manage_event_of_other_organiser_refused(client, olga, otto_event):
    client.force_login(olga)
    assert client.get(f"/events/manage/{otto_event.pk}/").status_code == 403
    stamp = int(otto_event.start.timestamp())
    assert client.post(f"/events/o/{otto_event.pk}/{stamp}/cancel/").status_code == 403
    assert not otto_event.occurrence_set.exists()
