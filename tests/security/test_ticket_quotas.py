"""Ticket quotas hold on every basket change, and Oscar's generic add form validates the date option."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from events import cancellation
from tests.factories import events as f
from tests.security.money_support import ticket_url, tickets_to_sumup

Line = get_model("basket", "Line")

pytestmark = pytest.mark.django_db
pytest_plugins = ["tests.security.money_fixtures"]


def _lines(client):
    basket = client.get(reverse("basket:summary")).context["basket"]
    return [(line.quantity, line.attributes.get().value) for line in basket.all_lines()]


def _set_quantity(client, quantity):
    line = Line.objects.get()
    return client.post(
        reverse("basket:summary"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-MIN_NUM_FORMS": "0",
            "form-MAX_NUM_FORMS": "1000",
            "form-0-id": str(line.pk),
            "form-0-quantity": str(quantity),
        },
    )


def test_raising_ticket_quantity_in_basket_beyond_quota_refused(client, workshop, sam):
    ticket_type = f.ticket_type(workshop, quota=8, price="10.00")
    client.force_login(sam)
    client.post(ticket_url(workshop, workshop.start), {"ticket_type": ticket_type.pk, "quantity": 2})

    response = _set_quantity(client, 30)

    assert Line.objects.get().quantity == 2
    assert "places left" in response.content.decode()
    _set_quantity(client, 8)
    assert Line.objects.get().quantity == 8


def test_event_page_adds_count_what_the_basket_holds(client, workshop, sam):
    ticket_type = f.ticket_type(workshop, quota=3, price="10.00")
    client.force_login(sam)
    url = ticket_url(workshop, workshop.start)
    client.post(url, {"ticket_type": ticket_type.pk, "quantity": 2})
    response = client.post(url, {"ticket_type": ticket_type.pk, "quantity": 2}, follow=True)
    assert "Not enough places left" in response.content.decode()
    assert Line.objects.get().quantity == 2


@pytest.mark.parametrize(
    "occurrence",
    [
        "not a date",
        "2020-01-06T10:00:00+00:00",  # long past
        "next week",
        "",
    ],
)
def test_generic_add_form_refuses_bad_occurrence(client, workshop, sam, occurrence):
    ticket_type = f.ticket_type(workshop, quota=8, price="10.00")
    client.force_login(sam)
    response = client.post(
        reverse("basket:add", args=[ticket_type.product.pk]), {"quantity": 1, "occurrence": occurrence}
    )
    assert response.status_code == 302
    assert not Line.objects.exists()


def test_generic_add_form_refuses_a_date_the_event_does_not_have_or_cancelled(client, workshop, sam):
    ticket_type = f.ticket_type(workshop, quota=8, price="10.00")
    client.force_login(sam)
    add = reverse("basket:add", args=[ticket_type.product.pk])
    not_a_date_of_it = (workshop.start + timedelta(days=1)).isoformat()
    client.post(add, {"quantity": 1, "occurrence": not_a_date_of_it})
    assert not Line.objects.exists()

    cancellation.occurrence_cancel(event=workshop, original_start=workshop.start)
    client.post(add, {"quantity": 1, "occurrence": workshop.start.isoformat()})
    assert not Line.objects.exists()

    next_week = workshop.start + timedelta(days=7)
    client.post(add, {"quantity": 1, "occurrence": next_week.isoformat()})
    assert _lines(client) == [(1, next_week.isoformat())]


def test_generic_add_form_holds_the_quota_and_the_sale_window(client, workshop, sam):
    ticket_type = f.ticket_type(workshop, quota=3, price="10.00")
    client.force_login(sam)
    add = reverse("basket:add", args=[ticket_type.product.pk])
    occurrence = workshop.start.isoformat()
    client.post(add, {"quantity": 3, "occurrence": occurrence})
    client.post(add, {"quantity": 1, "occurrence": occurrence})
    client.post(add, {"quantity": 30, "occurrence": occurrence})
    assert Line.objects.get().quantity == 3

    closed = f.ticket_type(workshop, name="Early bird", quota=3, price="5.00")
    closed.sale_ends = workshop.start - timedelta(days=10)
    closed.save()
    client.post(reverse("basket:add", args=[closed.product.pk]), {"quantity": 1, "occurrence": occurrence})
    assert Line.objects.count() == 1


def test_places_of_a_checkout_open_at_sumup_count_against_the_quota(workshop, sam, olga, fake_sumup):
    ticket_type = f.ticket_type(workshop, quota=4, price="10.00")
    at_sumup = Client()
    at_sumup.force_login(olga)
    tickets_to_sumup(at_sumup, workshop, ticket_type, quantity=3)

    shopper = Client()
    shopper.force_login(sam)
    add = reverse("basket:add", args=[ticket_type.product.pk])
    shopper.post(add, {"quantity": 2, "occurrence": workshop.start.isoformat()})
    assert not Line.objects.filter(basket__owner=sam).exists()
    shopper.post(add, {"quantity": 1, "occurrence": workshop.start.isoformat()})
    assert Line.objects.get(basket__owner=sam).quantity == 1


def test_quota_checked_again_at_placement(
    workshop, sam, olga, fake_sumup, django_capture_on_commit_callbacks
):

    from .money_support import webhook_post

    ticket_type = f.ticket_type(workshop, quota=2, price="10.00")
    client = Client()
    client.force_login(sam)
    attempt = tickets_to_sumup(client, workshop, ticket_type, quantity=2)
    # The organiser lowers the quota while Sam is paying.
    ticket_type.quota = 1
    ticket_type.save()
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    with django_capture_on_commit_callbacks(execute=True):
        assert webhook_post(fake_sumup, attempt.sumup_checkout_id).status_code == 204
    attempt.refresh_from_db()
    assert attempt.state == "refunded" and "places left" in attempt.note
    assert len(fake_sumup.refunds) == 1


def test_moving_saved_tickets_back_into_the_basket_holds_the_quota(client, workshop, sam):
    ticket_type = f.ticket_type(workshop, quota=3, price="10.00")
    client.force_login(sam)
    url = ticket_url(workshop, workshop.start)
    client.post(url, {"ticket_type": ticket_type.pk, "quantity": 2})
    saved = Line.objects.get()
    client.post(
        reverse("basket:summary"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(saved.pk),
            "form-0-quantity": "2",
            "form-0-save_for_later": "on",
        },
    )
    client.post(url, {"ticket_type": ticket_type.pk, "quantity": 2})
    assert Line.objects.filter(basket__status="Open").get().quantity == 2

    client.post(
        reverse("basket:saved"),
        {
            "saved-TOTAL_FORMS": "1",
            "saved-INITIAL_FORMS": "1",
            "saved-0-id": str(saved.pk),
            "saved-0-move_to_basket": "on",
        },
    )

    assert Line.objects.filter(basket__status="Open").get().quantity == 2
    assert Line.objects.filter(basket__status="Saved").exists()
