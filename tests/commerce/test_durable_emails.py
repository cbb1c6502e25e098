"""The shop's single emails (the order confirmation, a refund's outcome) are durable outgoing rows: a
mail server down when they are due sends them once it is back, a step run again queues nothing twice,
and a mailbox the server refuses fails its row for staff to see, never resent."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone

from accounts.deletion import user_delete
from commerce import refunds
from commerce.models import PaymentAttempt
from commerce.refund_outcome import refund_outcome_tell
from commerce.settlement import settlement_order_confirm
from durable import runner
from durable.outgoing import OutgoingEmail, email_queue
from tests.accounts.smtp_server import SMTPServer
from tests.factories.accounts import UserFactory
from tests.factories.commerce import guest_checkout_to_sumup, stocked_product
from tests.security.money_support import webhook_post

pytestmark = pytest.mark.django_db

SHOPPER = "ada@example.org"


@pytest.fixture
def smtp(settings):
    """Our SMTP server on 127.0.0.1, not yet listening: the mail server is down."""
    server = SMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", server.port, 5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    yield server
    server.stop()


@pytest.fixture
def paid(client, fake_sumup) -> PaymentAttempt:
    """A guest's jar of honey, paid at the fake SumUp; the webhook saying so is still to come."""
    guest_checkout_to_sumup(client, [(stocked_product(num_in_stock=3), 1)])
    attempt = PaymentAttempt.objects.get()
    fake_sumup.settle(attempt.sumup_checkout_id, "pay", webhook="none")
    return attempt


def _settle(paid, fake_sumup, capture) -> PaymentAttempt:
    with capture(execute=True):
        assert webhook_post(fake_sumup, paid.sumup_checkout_id).status_code == 204
    paid.refresh_from_db()
    assert paid.state == "placed"
    return paid


def _run_due_later() -> None:
    runner.run_due(OutgoingEmail, now=timezone.now() + timedelta(hours=2))


def _email(key_prefix: str) -> OutgoingEmail:
    return OutgoingEmail.objects.get(key__startswith=key_prefix)


def test_order_confirmation_smtp_down_is_sent_once_when_it_is_back(
    paid, fake_sumup, smtp, django_capture_on_commit_callbacks
):
    attempt = _settle(paid, fake_sumup, django_capture_on_commit_callbacks)

    confirmation = _email("order-confirmation:")
    assert confirmation.state == "queued" and confirmation.last_error and confirmation.to == SHOPPER
    assert attempt.order_number in confirmation.key and confirmation.html  # Oscar's HTML part kept

    smtp.start()
    _run_due_later()
    _run_due_later()  # nothing left to send

    assert smtp.received[SHOPPER] == 1
    confirmation.refresh_from_db()
    assert confirmation.state == "sent" and confirmation.sent_at


def test_order_confirmation_step_run_again_queues_no_second_email(
    paid, fake_sumup, smtp, django_capture_on_commit_callbacks
):
    smtp.start()
    attempt = _settle(paid, fake_sumup, django_capture_on_commit_callbacks)
    assert smtp.received[SHOPPER] == 1

    # The confirm step again (its worker died before the flow recorded it): found, not queued twice.
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        settlement_order_confirm(attempt.pk)
    _run_due_later()

    assert smtp.received[SHOPPER] == 1
    assert OutgoingEmail.objects.filter(key__startswith="order-confirmation:").count() == 1


def test_order_confirmation_refused_mailbox_fails_its_row_visibly_and_is_not_resent(
    paid, fake_sumup, smtp, admin_client, django_capture_on_commit_callbacks
):
    smtp.refused.add(SHOPPER)
    smtp.start()
    _settle(paid, fake_sumup, django_capture_on_commit_callbacks)

    confirmation = _email("order-confirmation:")
    assert confirmation.state == "failed" and "550" in confirmation.last_error
    smtp.refused.clear()
    _run_due_later()
    assert smtp.received[SHOPPER] == 0

    page = admin_client.get(f"/admin/state-machines/durable.outgoingemail/{confirmation.pk}/")
    assert page.status_code == 200 and "550" in page.content.decode()


@pytest.fixture
def placed(paid, fake_sumup, smtp, django_capture_on_commit_callbacks) -> PaymentAttempt:
    """The order placed and its confirmation sent; then the mail server goes down."""
    smtp.start()
    attempt = _settle(paid, fake_sumup, django_capture_on_commit_callbacks)
    assert smtp.received[SHOPPER] == 1
    smtp.stop()
    return attempt


def test_refund_outcome_smtp_down_is_sent_once_when_it_is_back(
    placed, smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        refund = refunds.order_refund(placed.order, Decimal("2.50"), key="staff-1", reference="a jar broke")
    assert refund.state == "sent"

    told = _email("refund-outcome:")
    assert told.state == "queued" and told.last_error and "2.50 GBP refunded" in told.subject

    smtp.start()
    _run_due_later()
    _run_due_later()

    assert smtp.received[SHOPPER] == 2  # the confirmation, then the refund's one email
    told.refresh_from_db()
    assert told.state == "sent"


def test_refund_outcome_step_run_again_queues_no_second_email(
    placed, smtp, django_capture_on_commit_callbacks
):
    smtp.start()
    with django_capture_on_commit_callbacks(execute=True):
        refunds.order_refund(placed.order, Decimal("2.50"), key="staff-1")
    assert smtp.received[SHOPPER] == 2

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        refund_outcome_tell("staff-1", "refunded")
    _run_due_later()

    assert smtp.received[SHOPPER] == 2
    assert OutgoingEmail.objects.filter(key__startswith="refund-outcome:").count() == 1


def test_refund_outcome_refused_mailbox_fails_its_row_and_is_not_resent(
    placed, smtp, django_capture_on_commit_callbacks
):
    smtp.refused.add(SHOPPER)
    smtp.start()
    with django_capture_on_commit_callbacks(execute=True):
        refunds.order_refund(placed.order, Decimal("2.50"), key="staff-1")

    told = _email("refund-outcome:")
    assert told.state == "failed" and "550" in told.last_error
    smtp.refused.clear()
    _run_due_later()

    assert smtp.received[SHOPPER] == 1  # the confirmation only
    told.refresh_from_db()
    assert told.state == "failed"


def test_deleting_an_account_deletes_the_emails_to_the_member(django_capture_on_commit_callbacks):
    member = UserFactory(email="zeb@example.org", email_verified=True)
    with transaction.atomic():  # not committed for the runner: both wait in `queued`
        email_queue(key="theirs", to=member.email, user=member, subject="Your order", text="Hi Zeb")
        email_queue(key="as-guest", to="ZEB@example.org", subject="Your order", text="Hi Zeb")
        email_queue(key="someone-else", to="amy@example.org", subject="Your order", text="Hi Amy")

    with django_capture_on_commit_callbacks(execute=True):
        user_delete(member)

    assert list(OutgoingEmail.objects.values_list("key", flat=True)) == ["someone-else"]
