"""The migrations that move deliveries and inbox items onto the one runner keep what each row meant."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.migrations import migrate

BEFORE = [("federation", "0006_alter_reaction_kind")]
AFTER = [("federation", "0009_deliveries_inbox_items_old_columns_removed")]


@pytest.mark.django_db(transaction=True)
def test_deliveries_and_inbox_items_keep_their_meaning_on_the_runner(latest_schema_after):
    old = migrate(BEFORE)
    actor = old.get_model("federation", "LocalActor").objects.create(
        username="blog", kind="blog", name="Blog", private_key_pem="-", public_key_pem="-"
    )
    activity = old.get_model("federation", "Activity").objects.create(
        activity_id="a1", activity_type="Create", actor=actor, body="{}"
    )
    host = old.get_model("federation", "Host").objects.create(domain="remote.example")
    Delivery = old.get_model("federation", "Delivery")
    now = timezone.now()
    created = now - timedelta(days=1)
    retry_at = now + timedelta(minutes=8)

    def delivery(inbox: str, **fields):
        return Delivery.objects.create(activity=activity, inbox=inbox, host=host, created=created, **fields)

    waiting = delivery("https://remote.example/1", state="pending", attempts=4, next_attempt=retry_at)
    done = delivery("https://remote.example/2", state="delivered", attempts=1, delivered=now)
    gave_up = delivery("https://remote.example/3", state="failed", attempts=2, last_error="410 gone")
    dead = delivery("https://remote.example/4", state="dead_host", attempts=9)
    InboxItem = old.get_model("federation", "InboxItem")
    ignored = InboxItem.objects.create(
        activity_type="Like", actor_uri="https://remote.example/u", data={}, state="ignored",
        error="not one of our objects", received=created, processed=now,
    )  # fmt: skip
    queued = InboxItem.objects.create(activity_type="Like", actor_uri="https://remote.example/u", data={})

    new = migrate(AFTER)
    Delivery = new.get_model("federation", "Delivery")
    InboxItem = new.get_model("federation", "InboxItem")
    waiting = Delivery.objects.get(pk=waiting.pk)
    assert (waiting.state, waiting.state_attempts, waiting.due_at, waiting.locked_until) == (
        "pending",
        4,
        retry_at,
        None,
    )
    assert waiting.state_changed_at == created  # its three days before giving up count from creation
    done = Delivery.objects.get(pk=done.pk)
    assert (done.state, done.state_changed_at, done.due_at) == ("delivered", now, None)
    gave_up = Delivery.objects.get(pk=gave_up.pk)
    assert (gave_up.state, gave_up.last_error, gave_up.state_changed_at) == ("failed", "410 gone", created)
    assert Delivery.objects.get(pk=dead.pk).state == "dead_host"
    ignored = InboxItem.objects.get(pk=ignored.pk)
    assert (ignored.state, ignored.last_error, ignored.state_changed_at) == (
        "ignored",
        "not one of our objects",
        now,
    )
    queued = InboxItem.objects.get(pk=queued.pk)
    assert (queued.state, queued.due_at, queued.locked_until) == ("received", None, None)  # the sweep's
