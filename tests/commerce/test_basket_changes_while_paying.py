"""The basket's page, still open in another tab, changes a line's quantity or removes it while the
shopper is at SumUp, before or after paying: the basket that was paid for is frozen, so the order is
exactly what was paid, and the other tab's changes touch nothing of it."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from commerce.models import PaymentAttempt
from tests.factories.commerce import guest_checkout_to_sumup, stocked_product

Order = get_model("order", "Order")
Line = get_model("basket", "Line")

pytestmark = pytest.mark.django_db


def _basket_form(client, line, quantity: int, delete: bool = False):
    """What the basket page, loaded before "Place order", posts when the shopper edits that line."""
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "form-0-id": str(line.pk),
        "form-0-quantity": str(quantity),
    }
    if delete:
        data["form-0-DELETE"] = "on"
    return client.post(reverse("basket:summary"), data)


@pytest.mark.parametrize("when", ["before paying", "after paying"])
@pytest.mark.parametrize("change", ["quantity", "removed"])
def test_basket_edited_in_another_tab_while_at_sumup_leaves_the_paid_order_as_paid(
    client, fake_sumup, when, change
):
    honey = stocked_product(num_in_stock=5)
    guest_checkout_to_sumup(client, [(honey, 2)])
    attempt = PaymentAttempt.objects.get()
    [line] = Line.objects.filter(basket_id=attempt.basket_id)
    if when == "after paying":
        fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")

    _basket_form(client, line, 5 if change == "quantity" else 0, delete=change == "removed")

    line.refresh_from_db()
    assert line.quantity == 2 and Line.objects.filter(basket_id=attempt.basket_id).count() == 1
    if when == "before paying":
        fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    response = client.get(reverse("commerce:sumup-return", args=[attempt.public_id]))
    assert response["Location"] == reverse("checkout:thank-you")
    order = Order.objects.get()
    attempt.refresh_from_db()
    assert [(order_line.product_id, order_line.quantity) for order_line in order.lines.all()] == [
        (honey.pk, 2)
    ]
    assert order.total_incl_tax == attempt.amount == attempt.paid_amount and not fake_sumup.refunds
    assert honey.stockrecords.get().num_allocated == 2
