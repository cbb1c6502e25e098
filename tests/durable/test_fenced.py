"""A batch row's outcome written under its lease (durable.fenced): the log rows and the fenced UPDATE
together, one statement on PostgreSQL, a transaction elsewhere; these run on both."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from durable.fenced import outcome_write
from social.federation.actors import host_for, local_actor_get
from social.federation.delivery import activity_record
from social.federation.models import Delivery, DeliveryAttempt

pytestmark = pytest.mark.django_db

INBOX = "https://remote.example/inbox"


@pytest.fixture
def leased():
    """A pending delivery leased to us, as a claim leaves it; and its lease."""
    data = {"id": "https://local.example/ap/activities/fenced", "type": "Note"}
    activity = activity_record(activity_id="fenced", actor=local_actor_get("blog"), data=data)[0]
    lease = timezone.now() + timedelta(minutes=5)
    delivery = Delivery.objects.create(
        activity=activity, inbox=INBOX, host=host_for(INBOX), locked_until=lease, state_attempts=1
    )
    return delivery, lease


def attempts(delivery, *statuses) -> list[DeliveryAttempt]:
    return [DeliveryAttempt(delivery=delivery, scheme="rfc9421", status=status) for status in statuses]


def test_outcome_write_under_its_lease_moves_the_row_and_writes_every_log_row(leased):
    delivery, lease = leased
    now = timezone.now()
    log = attempts(delivery, 401, 202)
    changes = {
        "state": "delivered",
        "last_status": 202,
        "delivered": now,
        "locked_until": None,
        "due_at": None,
    }
    fence = {"state": "pending", "locked_until": lease}
    assert outcome_write(Delivery, delivery.pk, fence, changes, log) == 1
    delivery.refresh_from_db()
    assert (delivery.state, delivery.last_status, delivery.delivered, delivery.locked_until) == (
        "delivered",
        202,
        now,
        None,
    )
    assert sorted(delivery.attempt_log.values_list("status", flat=True)) == [202, 401]
    assert all(not entry._state.adding for entry in log)
    # Written once: the same outcome again finds the row moved on (the fence) and changes nothing.
    assert outcome_write(Delivery, delivery.pk, fence, changes, attempts(delivery, 202)) == 0


def test_outcome_write_after_the_lease_is_lost_keeps_the_row_and_still_logs_the_post(leased):
    delivery, lease = leased
    other_lease = lease + timedelta(minutes=1)
    Delivery.objects.filter(pk=delivery.pk).update(locked_until=other_lease)  # the sweep gave it on
    fence = {"state": "pending", "locked_until": lease}
    changes = {"state": "delivered", "last_status": 202, "locked_until": None}
    assert outcome_write(Delivery, delivery.pk, fence, changes, attempts(delivery, 202)) == 0
    delivery.refresh_from_db()
    assert (delivery.state, delivery.locked_until) == ("pending", other_lease)
    assert delivery.attempt_log.count() == 1  # the POST was made: its row says so


def test_outcome_write_is_all_or_nothing_when_a_log_row_is_refused(leased):
    delivery, lease = leased
    refused = DeliveryAttempt(delivery=delivery, scheme=None, status=202)  # NOT NULL: the database says no
    fence = {"state": "pending", "locked_until": lease}
    with pytest.raises(IntegrityError), transaction.atomic():
        outcome_write(Delivery, delivery.pk, fence, {"state": "delivered", "locked_until": None}, [refused])
    delivery.refresh_from_db()
    assert (delivery.state, delivery.locked_until) == ("pending", lease)
    assert not delivery.attempt_log.exists()


def test_outcome_write_refuses_a_log_row_that_is_already_saved(leased):
    delivery, lease = leased
    saved = DeliveryAttempt.objects.create(delivery=delivery, scheme="rfc9421", status=202)
    fence = {"state": "pending", "locked_until": lease}
    with pytest.raises((ValueError, IntegrityError)), transaction.atomic():
        outcome_write(Delivery, delivery.pk, fence, {"state": "delivered"}, [saved])
    delivery.refresh_from_db()
    assert delivery.state == "pending"
