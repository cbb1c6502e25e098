"""Paid tickets: a ticket type sells as an Oscar product; placing the order issues one ticket per unit."""

import pytest
from oscar.apps.basket.models import Basket
from oscar.apps.partner.strategy import Selector
from oscar.test.factories import create_order

from events import tickets
from events.models import Booking
from tests.factories import events as f

pytestmark = pytest.mark.django_db


def test_paid_ticket_type_gets_ticket_product_without_shipping(workshop):
    ticket_type = f.ticket_type(workshop, quota=3, price="25.00")
    product = ticket_type.product
    assert product.product_class.name == "Ticket"
    assert product.product_class.requires_shipping is False
    assert product.stockrecords.get().price == ticket_type.price
    assert f.ticket_type(workshop, name="Free", quota=3).product is None


def _basket_of(user):
    basket = Basket.objects.get(owner=user, status=Basket.OPEN)
    basket.strategy = Selector().strategy(user=user)
    return basket


def test_paid_ticket_bought_through_basket_issued_on_order_placed(client, workshop, sam):
    ticket_type = f.ticket_type(workshop, quota=3, price="25.00")
    start = workshop.start
    client.force_login(sam)
    response = client.post(
        f"/events/o/{workshop.pk}/{int(start.timestamp())}/basket/",
        {"ticket_type": ticket_type.pk, "quantity": 2},
    )
    assert response.status_code == 302 and response["Location"] == "/shop/basket/"
    basket = _basket_of(sam)
    line = basket.all_lines()[0]
    assert line.quantity == 2 and line.attributes.get().value == start.isoformat()
    order = create_order(basket=basket, user=sam)
    issued = Booking.objects.filter(order_line__order=order)
    assert issued.count() == 2
    assert {t.occurrence_start for t in issued} == {start}
    assert {t.email for t in issued} == {sam.email}
    # The receiver is idempotent: a replayed signal issues nothing more.
    assert tickets.tickets_issue_for_order(order) == []
    assert Booking.objects.filter(order_line__order=order).count() == 2


def test_paid_tickets_count_against_the_quota(client, workshop, sam, olga):
    ticket_type = f.ticket_type(workshop, quota=3, price="25.00")
    start = workshop.start
    url = f"/events/o/{workshop.pk}/{int(start.timestamp())}/basket/"
    client.force_login(sam)
    client.post(url, {"ticket_type": ticket_type.pk, "quantity": 3})
    create_order(basket=_basket_of(sam), user=sam)
    client.force_login(olga)
    response = client.post(url, {"ticket_type": ticket_type.pk, "quantity": 1}, follow=True)
    assert "Not enough places left" in response.content.decode()
    assert not Basket.objects.filter(owner=olga, lines__isnull=False).exists()


def test_free_ticket_type_cannot_go_in_the_basket(client, workshop, sam):
    ticket_type = f.ticket_type(workshop, quota=3)
    client.force_login(sam)
    response = client.post(
        f"/events/o/{workshop.pk}/{int(workshop.start.timestamp())}/basket/", {"ticket_type": ticket_type.pk}
    )
    assert response.status_code == 302 and "/events/o/" in response["Location"]


def test_paid_ticket_through_commerce_checkout_and_sumup_issues_ticket(
    client, workshop, sam, fake_sumup, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    from commerce.models import PaymentAttempt

    ticket_type = f.ticket_type(workshop, quota=3, price="25.00")
    client.force_login(sam)
    client.post(
        f"/events/o/{workshop.pk}/{int(workshop.start.timestamp())}/basket/", {"ticket_type": ticket_type.pk}
    )
    # Tickets need no shipping: Oscar skips address and method and goes to the preview.
    response = client.get(reverse("checkout:index"), follow=True)
    assert response.redirect_chain[-1][0].endswith(reverse("checkout:preview")), response.redirect_chain
    response = client.post(reverse("checkout:preview"), {"action": "place_order"})
    attempt = PaymentAttempt.objects.get()
    assert response["Location"] == attempt.hosted_checkout_url
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("commerce:sumup-return", args=[attempt.public_id]))
    [ticket] = Booking.objects.filter(user=sam)
    assert ticket.ticket_type == ticket_type and ticket.occurrence_start == workshop.start
    assert ticket.order_line.order.user == sam
