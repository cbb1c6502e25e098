"""Red team, money: the ticket quota counts a date however its option is spelt."""

from datetime import UTC, timedelta, timezone

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from tests.factories import events as f

Line = get_model("basket", "Line")

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.security.money_fixtures"]


def _spellings(start):
    """One instant written three ways a browser form could send it: UTC offset, Z, another offset."""
    utc = start.astimezone(UTC)
    return [
        utc.isoformat(),
        utc.isoformat().replace("+00:00", "Z"),
        utc.astimezone(timezone(timedelta(hours=5, minutes=30))).isoformat(),
    ]


def test_one_date_spelt_differently_cannot_pass_the_quota_twice(client, workshop, sam):
    ticket_type = f.ticket_type(workshop, quota=4, price="10.00")
    client.force_login(sam)
    add = reverse("basket:add", args=[ticket_type.product.pk])
    for spelling in _spellings(workshop.start):
        client.post(add, {"quantity": 4, "occurrence": spelling})
    assert sum(line.quantity for line in Line.objects.all()) == 4


def _set_quantities(client, quantities: dict[int, int]):
    data = {
        "form-TOTAL_FORMS": str(len(quantities)),
        "form-INITIAL_FORMS": str(len(quantities)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
    }
    for index, (pk, quantity) in enumerate(quantities.items()):
        data[f"form-{index}-id"] = str(pk)
        data[f"form-{index}-quantity"] = str(quantity)
    return client.post(reverse("basket:summary"), data)


def test_raising_a_line_counts_the_same_date_spelt_otherwise(client, workshop, sam):
    ticket_type = f.ticket_type(workshop, quota=4, price="10.00")
    client.force_login(sam)
    add = reverse("basket:add", args=[ticket_type.product.pk])
    first, second, _ = _spellings(workshop.start)
    client.post(add, {"quantity": 2, "occurrence": first})
    client.post(add, {"quantity": 2, "occurrence": second})
    lines = list(Line.objects.order_by("pk"))
    response = _set_quantities(client, {lines[0].pk: 4, lines[1].pk: 2})
    assert response.status_code in (200, 302)
    assert sum(line.quantity for line in Line.objects.all()) == 4


def test_tickets_for_two_dates_can_each_be_changed_up_to_their_own_quota(client, workshop, sam):
    # Oscar's basket form also asks a line's availability about every line of the product summed
    # (all dates together); a date's quota is not about the other dates, and the refusal was a 500.
    ticket_type = f.ticket_type(workshop, quota=4, price="10.00")
    client.force_login(sam)
    add = reverse("basket:add", args=[ticket_type.product.pk])
    next_week = workshop.start + timedelta(days=7)
    client.post(add, {"quantity": 2, "occurrence": workshop.start.isoformat()})
    client.post(add, {"quantity": 2, "occurrence": next_week.isoformat()})
    lines = list(Line.objects.order_by("pk"))
    assert len(lines) == 2

    response = _set_quantities(client, {lines[0].pk: 4, lines[1].pk: 4})
    assert response.status_code == 302
    assert [line.quantity for line in Line.objects.order_by("pk")] == [4, 4]

    response = _set_quantities(client, {lines[0].pk: 5, lines[1].pk: 4})
    assert response.status_code == 200
    assert "places left" in response.content.decode()
    assert [line.quantity for line in Line.objects.order_by("pk")] == [4, 4]


@pytest.mark.parametrize(
    "occurrence",
    [
        "9999-12-31T23:00:00-05:00",  # past datetime's range once in UTC
        "0001-01-01T00:30:00+05:00",  # before it
        "9999-12-31T23:59:59+00:00",  # far future, in range
        "2027-01-10T19:00:00",  # no time zone
    ],
)
def test_add_form_answers_an_out_of_range_or_naive_date_with_a_form_error(client, workshop, sam, occurrence):
    ticket_type = f.ticket_type(workshop, quota=8, price="10.00")
    client.force_login(sam)
    response = client.post(
        reverse("basket:add", args=[ticket_type.product.pk]), {"quantity": 1, "occurrence": occurrence}
    )
    assert response.status_code == 302
    assert not Line.objects.exists()
