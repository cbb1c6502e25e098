"""Bad numbers in URLs and query strings answer 400 or 404, never 500: ids beyond a 64-bit integer
(SQLite raises OverflowError, PostgreSQL "out of range"), years past 9999, UTC offsets past ±24 h.
And HEAD on every feed answers as GET does."""

from urllib.parse import quote

import pytest
from schedule.models import Calendar

from events.selectors import events_published

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"
JUST_OVER = str(2**63)  # one past the largest bigint
NOT_SERVER_ERROR = {200, 301, 302, 400, 403, 404, 405}  # 200: a bad filter ignored


@pytest.fixture
def event_id(db):
    """A real event on a public calendar, so the ids that follow it are parsed, not just looked up."""
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import events as event_factories

    start = (timezone.now() + timedelta(days=2)).replace(microsecond=0)
    calendar = event_factories.organiser_calendar("Demo")
    event = event_factories.event(calendar, "Market", start=start, end=start + timedelta(hours=2))
    event_factories.ticket_type(event, name="Place", quota=5)
    return event.pk


@pytest.fixture
def staff_client(client, admin_user):
    client.force_login(admin_user)
    client.raise_request_exception = False
    return client


@pytest.fixture
def anonymous(client):
    client.raise_request_exception = False
    return client


GET_PATHS = [
    f"/events/occurrence/{HUGE}/",  # the example
    f"/events/occurrence/{HUGE}/{HUGE}/",
    f"/events/occurrence/{{event}}/{HUGE}/",
    f"/events/occurrence/{JUST_OVER}/1/",
    f"/events/occurrence/{{event}}/{HUGE}/1/1/0/0/0/",
    "/events/occurrence/{event}/99999/12/31/23/59/59/",
    "/events/occurrence/{event}/2026/13/45/99/99/99/",
    f"/events/occurrence/{{event}}/{HUGE}/{HUGE}/{HUGE}/{HUGE}/{HUGE}/{HUGE}/",
    f"/events/event/{HUGE}/",
    f"/events/event/{JUST_OVER}/",
    f"/events/o/{HUGE}/1/",
    f"/events/o/{{event}}/{HUGE}/",
    f"/events/o/{{event}}/-{HUGE}/",
    f"/events/o/{{event}}/{JUST_OVER}/",
    f"/events/e/{HUGE}.ics",
    f"/events/manage/{HUGE}/",
    f"/events/feed/calendar/upcoming/{HUGE}/",
    f"/events/event/edit/demo/{HUGE}/",
    f"/events/occurrence/edit/{HUGE}/{HUGE}/",
    f"/events/occurrence/cancel/{{event}}/{HUGE}/1/1/0/0/0/",
    "/events/occurrence/edit/{event}/2026/2/30/25/0/0/",
    f"/events/occurrence/edit/{{event}}/{HUGE}/",
    f"/events/calendar/month/demo/?year={HUGE}&month=1",
    "/events/?month=99999-01",
    f"/events/?month={HUGE}-01",
    "/events/api/occurrences?start=2026-01-01T00:00:00%2B99:00&end=2026-01-31T00:00:00%2B99:00",
    "/events/api/occurrences?start=2026-01-01T00:00:00-99:00&end=2026-01-31T00:00:00Z",
    "/events/api/occurrences?start=9999-12-31T00:00:00-12:00&end=9999-12-31T23:00:00-23:00",
    "/events/api/occurrences?start=0001-01-01T00:00:00%2B12:00&end=0001-01-02T00:00:00%2B12:00",
    f"/events/api/occurrences?start={HUGE}&end={HUGE}",
    f"/shop/catalogue/honey_{HUGE}/",
    f"/shop/catalogue/category/food_{HUGE}/",
    f"/shop/dashboard/catalogue/imports/{HUGE}/",
    f"/shop/dashboard/catalogue/products/{HUGE}/",
    f"/shop/dashboard/orders/?order_number={HUGE}",
    f"/flows/{HUGE}/",
    f"/ap/hub/notes/{HUGE}",
    f"/admin/federation/action/follow-accept/{HUGE}/",
    f"/admin/flows/{HUGE}/",
    f"/admin/newsletters/issues/{HUGE}/progress/",
    f"/admin/pages/{HUGE}/",
    f"/blog/?page={HUGE}",
    f"/search/?q=x&page={HUGE}",
]


@pytest.mark.parametrize("path", GET_PATHS)
def test_get_with_huge_numbers_is_not_a_server_error(staff_client, event_id, path):
    path = path.replace("{event}", str(event_id))
    response = staff_client.get(path)
    assert response.status_code in NOT_SERVER_ERROR, (path, response.status_code)


@pytest.mark.parametrize(
    "path", [p for p in GET_PATHS if not p.startswith(("/admin/", "/shop/dashboard", "/flows"))]
)
def test_anonymous_get_with_huge_numbers_is_not_a_server_error(anonymous, event_id, path):
    path = path.replace("{event}", str(event_id))
    response = anonymous.get(path)
    assert response.status_code in NOT_SERVER_ERROR, (path, response.status_code)


POSTS = [
    (f"/account/apps/{HUGE}/revoke/", {}),
    (f"/account/newsletters/{HUGE}/subscribe/", {}),
    (f"/account/newsletters/{HUGE}/leave/", {}),
    (f"/events/o/{{event}}/{HUGE}/book/", {}),
    ("/events/o/{event}/1800000000/book/", {"ticket_type": HUGE}),
    ("/events/o/{event}/1800000000/book/", {"ticket_type": "abc"}),
    ("/events/o/{event}/1800000000/basket/", {"ticket_type": "1e9", "quantity": "1"}),
    (f"/events/o/{HUGE}/1/wait/", {}),
    (f"/events/o/{{event}}/{HUGE}/basket/", {"quantity": "1"}),
    (f"/events/o/{{event}}/{HUGE}/cancel/", {}),
    (f"/events/o/{{event}}/{HUGE}/move/", {}),
    ("/events/o/1/1/basket/", {"quantity": HUGE}),
    (f"/events/manage/{HUGE}/cancel/", {}),
    ("/events/api/move_or_resize/", {"event_id": HUGE, "delta": "10"}),
    ("/events/api/move_or_resize/", {"event_id": "{event}", "delta": HUGE}),
    ("/events/api/move_or_resize/", {"event_id": "{event}", "delta": "10", "existed": "true", "id": HUGE}),
    (
        "/events/api/select_create/",
        {"calendar_slug": "demo", "start": "9999-12-31T23:00:00-12:00", "end": "9999-12-31T23:30:00-12:00"},
    ),
    (
        "/events/api/select_create/",
        {"calendar_slug": "demo", "start": "2026-05-01T10:00:00+99:00", "end": "2026-05-01T11:00:00+99:00"},
    ),
    (f"/shop/basket/add/{HUGE}/", {"quantity": "1"}),
    ("/shop/basket/", {"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "1", "form-0-id": HUGE}),
    (f"/admin/hub/items/{HUGE}/react/", {"kind": "like"}),
    (f"/admin/hub/following/{HUGE}/unfollow/", {}),
    (f"/admin/staff-notifications/{HUGE}/read/", {}),
]


@pytest.mark.parametrize(("path", "data"), POSTS)
def test_post_with_huge_numbers_is_not_a_server_error(staff_client, event_id, path, data):
    path = path.replace("{event}", str(event_id))
    data = {key: value.replace("{event}", str(event_id)) for key, value in data.items()}
    response = staff_client.post(path, data)
    assert response.status_code in NOT_SERVER_ERROR, (path, response.status_code)


def test_huge_id_in_a_converter_path_is_a_404(anonymous):
    assert anonymous.get(f"/events/e/{JUST_OVER}.ics").status_code == 404
    assert anonymous.get(f"/events/occurrence/{quote(HUGE)}/").status_code == 404


# --- HEAD on feeds: feed readers and link checkers ask HEAD first ------------------------------------

AP = "application/activity+json"


def _feed_urls() -> list[tuple[str, dict]]:
    from cms.models import Author, BlogCategory

    calendar = Calendar.objects.order_by("pk").first()
    event = events_published().order_by("pk").first()
    category = BlogCategory.objects.order_by("pk").first()
    author = Author.objects.order_by("pk").first()
    return [
        ("/blog/feed/", {}),
        ("/blog/feed/atom/", {}),
        (f"/blog/category/{category.slug}/feed/", {}),
        (f"/blog/category/{category.slug}/feed/atom/", {}),
        (f"/blog/author/{author.slug}/feed/", {}),
        (f"/blog/author/{author.slug}/feed/atom/", {}),
        ("/events/feed.ics", {}),
        (f"/events/calendars/{calendar.slug}.ics", {}),
        (f"/events/e/{event.pk}.ics", {}),
        (f"/events/ical/calendar/{calendar.slug}/", {}),
        (f"/events/feed/calendar/upcoming/{calendar.pk}/", {}),
        ("/ap/users/blog/outbox", {"Accept": AP}),
        ("/ap/users/blog/outbox?page=1", {"Accept": AP}),
        ("/ap/users/blog/followers", {"Accept": AP}),
        ("/ap/users/blog/featured", {"Accept": AP}),
        ("/ap/users/blog", {"Accept": AP}),
    ]


def test_head_on_every_feed_answers_like_get(client, seeded):
    for url, headers in _feed_urls():
        get = client.get(url, headers=headers)
        head = client.head(url, headers=headers)
        assert get.status_code == 200, url
        assert head.status_code == get.status_code, url
        assert head["Content-Type"] == get["Content-Type"], url
        assert head.content == b"", url
