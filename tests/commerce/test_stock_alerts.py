"""Oscar's stock alerts mail only after the change they report has committed, and only a change that
can bring a product back (stock from none to some, a new record) asks after them."""

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_class, get_model

from commerce.stock import stock_release, stock_reserve
from tests.factories.accounts import UserFactory
from tests.factories.commerce import stocked_product
from tests.security.failing_mail import mails_to
from tests.security.outbound_guard import outbound_guard_fixture  # noqa: F401

Basket = get_model("basket", "Basket")
ProductAlert = get_model("customer", "ProductAlert")
Selector = get_class("partner.strategy", "Selector")


@pytest.fixture
def sold_out_honey(db):
    """Honey, sold out, awaited by an address and by a member."""
    honey = stocked_product(num_in_stock=0)
    ProductAlert.objects.create(product=honey, email="ann@example.org").confirm()
    member = UserFactory(email="bob@example.org")
    ProductAlert.objects.create(product=honey, user=member, status=ProductAlert.ACTIVE)
    return honey


def _restock(product, count: int = 5) -> None:
    record = product.stockrecords.get()
    record.num_in_stock = count
    record.save()


@pytest.mark.django_db
def test_back_in_stock_rolled_back_restock_mails_nobody(sold_out_honey, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        _restock(sold_out_honey)
        raise RuntimeError("the stock change fails later in its transaction")

    assert mail.outbox == []
    assert set(ProductAlert.objects.values_list("status", flat=True)) == {ProductAlert.ACTIVE}


@pytest.mark.django_db
def test_back_in_stock_committed_restock_mails_each_once_after_commit(
    sold_out_honey, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        _restock(sold_out_honey)
    assert mail.outbox == []  # nothing while the stock row was locked
    for callback in callbacks:
        callback()
    assert mails_to("ann@example.org") == 1 and mails_to("bob@example.org") == 1

    with django_capture_on_commit_callbacks(execute=True):
        _restock(sold_out_honey, 4)  # a later change: the alerts are closed, nobody is mailed again
    assert len(mail.outbox) == 2
    assert set(ProductAlert.objects.values_list("status", flat=True)) == {ProductAlert.CLOSED}


@pytest.mark.django_db(transaction=True)
def test_alert_confirmation_mailed_outside_the_request_transaction(client, outbound_guard):
    honey = stocked_product(num_in_stock=0)
    response = client.post(f"/shop/accounts/alerts/create/{honey.pk}/", {"email": "cat@example.org"})

    assert response.status_code == 302
    alert = ProductAlert.objects.get(email="cat@example.org")
    assert alert.status == ProductAlert.UNCONFIRMED
    assert [call.target for call in outbound_guard.of("mail")] == ["cat@example.org"]
    assert alert.key in mail.outbox[0].body  # the confirmation link
    outbound_guard.assert_clean("mail")


def _alert_queries(change) -> list[str]:
    """The SQL that asks about alerts while `change()` saves a stock record."""
    with CaptureQueriesContext(connection) as queries:
        change()
    return [query["sql"] for query in queries.captured_queries if ProductAlert._meta.db_table in query["sql"]]


@pytest.mark.django_db
@pytest.mark.parametrize(("before", "after"), [(5, 4), (5, 0), (0, 0)], ids=["sold", "sold-out", "still-out"])
def test_back_in_stock_save_that_leaves_it_in_or_out_of_stock_asks_nothing_of_alerts(before, after):
    honey = stocked_product(num_in_stock=before)
    ProductAlert.objects.create(product=honey, email="ann@example.org").confirm()
    assert _alert_queries(lambda: _restock(honey, after)) == []


@pytest.mark.django_db
def test_back_in_stock_checkout_reserving_and_releasing_stock_asks_nothing_of_alerts(sold_out_honey):
    _restock(sold_out_honey, 5)
    basket = Basket.objects.create()
    basket.strategy = Selector().strategy()
    basket.add_product(sold_out_honey, 2)
    assert _alert_queries(lambda: stock_release(stock_reserve(basket))) == []
    assert sold_out_honey.stockrecords.get().num_allocated == 0


@pytest.mark.django_db
def test_back_in_stock_released_reservation_of_the_last_unit_mails_the_waiting(
    sold_out_honey, django_capture_on_commit_callbacks
):
    record = sold_out_honey.stockrecords.get()
    record.num_in_stock, record.num_allocated = 1, 1  # the last jar held by a checkout: sold out
    record.save()
    with django_capture_on_commit_callbacks(execute=True):
        stock_release({str(record.pk): 1})  # the shopper never paid
    assert mails_to("ann@example.org") == 1 and mails_to("bob@example.org") == 1
