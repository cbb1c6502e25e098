"""Orders move Paid → Ready for collection → Collected (or Dispatched, Cancelled, Refunded) and each
step emails the customer once, after the change commits; the member dashboard shows the status."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.mail.backends import locmem
from django.db import connection, transaction
from django.urls import reverse
from oscar.core.loading import get_model

from commerce.models import PaymentAttempt
from tests.factories.commerce import country_gb, stocked_product

Order = get_model("order", "Order")

# Whether each email was sent while a database transaction was open.
sent_inside_transaction: list[bool] = []


class TransactionRecordingBackend(locmem.EmailBackend):
    def send_messages(self, messages):
        sent_inside_transaction.append(connection.in_atomic_block)
        return super().send_messages(messages)


def member_collection_order(client, fake_sumup, email="ada@example.org"):
    """A member buys a jar for collection and pays on (fake) SumUp; returns the placed order."""
    country_gb()
    user = get_user_model().objects.create_user(email=email, password="pw-long-enough-1")
    client.force_login(user)
    honey = stocked_product(num_in_stock=5)
    client.post(reverse("basket:add", args=[honey.pk]), {"quantity": 1})
    client.post(reverse("checkout:shipping-method"), {"method_code": "collection-point"})
    client.post(reverse("checkout:preview"), {"action": "place_order"})
    attempt = PaymentAttempt.objects.get()
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    client.get(reverse("commerce:sumup-return", args=[attempt.public_id]))
    return Order.objects.get()


def _change_status(admin_client, order, status):
    return admin_client.post(
        reverse("dashboard:order-detail", args=[order.number]),
        {"order_action": "change_order_status", "new_status": status},
    )


@pytest.mark.django_db(transaction=True)
def test_status_change_emails_customer_once_after_commit(client, admin_client, fake_sumup, settings):
    order = member_collection_order(client, fake_sumup)
    assert order.status == "Paid"
    settings.EMAIL_BACKEND = f"{__name__}.TransactionRecordingBackend"
    mail.outbox.clear()
    sent_inside_transaction.clear()

    response = _change_status(admin_client, order, "Ready for collection")

    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == "Ready for collection"
    [email] = mail.outbox
    assert email.to == ["ada@example.org"] and order.number in email.subject
    assert "ready for collection" in email.subject.lower() and "market stall" in email.body
    assert sent_inside_transaction == [False]  # the dashboard's request had committed
    assert order.communication_events.filter(event_type__code="ORDER_STATUS_CHANGED").count() == 1

    _change_status(admin_client, order, "Collected")
    assert [m.subject for m in mail.outbox][1].lower().endswith("collected") and len(mail.outbox) == 2
    # Not a step the pipeline allows from Collected: refused, and nobody is told anything.
    _change_status(admin_client, order, "Dispatched")
    order.refresh_from_db()
    assert order.status == "Collected" and len(mail.outbox) == 2


@pytest.mark.django_db
def test_status_change_rolled_back_sends_nothing(client, fake_sumup, django_capture_on_commit_callbacks):
    order = member_collection_order(client, fake_sumup)
    mail.outbox.clear()
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        order.set_status("Dispatched")
        raise RuntimeError("the dashboard request failed after the change")
    assert callbacks == [] and mail.outbox == []


@pytest.mark.django_db
def test_member_dashboard_shows_order_status(
    client, admin_client, fake_sumup, django_capture_on_commit_callbacks
):
    order = member_collection_order(client, fake_sumup)
    with django_capture_on_commit_callbacks(execute=True):
        _change_status(admin_client, order, "Ready for collection")

    html = client.get(reverse("accounts:dashboard")).content.decode()

    assert order.number in html and "Ready for collection" in html
