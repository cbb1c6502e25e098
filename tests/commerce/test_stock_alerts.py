"""Oscar's stock alerts mail only after the change they report has committed."""

import pytest
from django.core import mail
from django.db import transaction
from oscar.core.loading import get_model

from tests.factories.accounts import UserFactory
from tests.factories.commerce import stocked_product
from tests.security.failing_mail import mails_to
from tests.security.outbound_guard import outbound_guard_fixture  # noqa: F401

ProductAlert = get_model("customer", "ProductAlert")


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
