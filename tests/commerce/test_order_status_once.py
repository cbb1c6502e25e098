"""Two staff moving one order to the same status at the same moment: the customer gets one email."""

import pytest
from django.core import mail
from django.db import transaction
from oscar.core.loading import get_model
from oscar.test.factories import create_order

from tests.concurrency import at_once, raised
from tests.factories.accounts import UserFactory

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def eager_celery():
    """Tasks run in-process even when REDIS_URL is set: the emails are counted right here."""
    from config.celery import app

    saved = (app.conf.task_always_eager, app.conf.task_eager_propagates)
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield app
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


def _dispatch(order_id: int):
    def move() -> None:
        # As the dashboard does it, in the request's transaction, from the order it loaded.
        with transaction.atomic():
            Order.objects.get(pk=order_id).set_status("Dispatched")

    return move


def test_order_dispatched_by_two_requests_at_once_emails_customer_once(eager_celery):
    order = create_order(user=UserFactory(email="ada@example.org"), status="Paid")
    mail.outbox.clear()

    outcomes = at_once(_dispatch(order.pk), _dispatch(order.pk))

    assert raised(outcomes) == []

    assert Order.objects.get(pk=order.pk).status == "Dispatched"
    assert sum("ada@example.org" in m.to for m in mail.outbox) == 1
