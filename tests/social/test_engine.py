"""The persisted engine: claims, retries, idempotency, the sweep and the flow log rows.

Flows run on the production transport (social/federation/transport.py); their deliveries reach a
recording receiver of ours on 127.0.0.1 (tests/social/conftest.py: recording_remote)."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from social import engine, services
from social.federation.actors import local_actor_for_author
from social.federation.models import Activity, Delivery, DeliveryAttempt, LocalActor
from social.models import Flow, FlowEffect, FlowStep, StaffNotification
from tests.factories.social import URGENT_POST_PAYLOAD as PAYLOAD

pytestmark = pytest.mark.django_db


def start_flow(django_capture_on_commit_callbacks, payload=PAYLOAD):
    """A publish flow written but not yet run (its on_commit callback is captured, not executed)."""
    with django_capture_on_commit_callbacks(execute=False):
        return services.flow_start(
            behavior="publish", event="published", object_key="page:99", payload=payload
        )


def test_flow_run_records_steps_effects_and_timings(django_capture_on_commit_callbacks, recording_remote):
    flow = start_flow(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):  # the delivery task runs after the commit
        engine.flow_run(flow.pk)
    flow.refresh_from_db()
    assert flow.status == "succeeded" and flow.finished_at and flow.cursor == ""
    steps = list(flow.steps.order_by("seq"))
    assert [(s.name, s.branch, s.attempts) for s in steps] == [
        ("validate", "ok", 1),
        ("compose", "done", 1),
        ("route", "urgent", 1),
        ("notify", "done", 1),
        ("deliver", "done", 1),
    ]
    assert all(s.duration_ms is not None and s.status == "done" for s in steps)
    effects = list(FlowEffect.objects.filter(flow=flow).order_by("step__seq"))
    assert [e.kind for e in effects] == ["record_activity", "notify", "schedule_delivery"]
    activity = Activity.objects.get(activity_id=flow.activity_id)
    assert effects[0].result["receipt"]["detail"] == f"recorded as {activity.data['id']}"
    assert effects[2].result["receipt"] == {
        "transport": "activitypub",
        "deliveries_scheduled": 1,
        "detail": "Create page:99 to 1 inboxes",
        "unchanged": False,
    }
    assert effects[0].data["payload"]["title"] == "Storm"
    # The one activity row went out, signed, to the follower's shared inbox: the receiver verified it.
    received = recording_remote.wait_for(lambda a: a["type"] == "Create")
    assert received["path"] == "/inbox" and received["activity"]["id"] == activity.data["id"]
    assert received["activity"]["object"]["name"] == "Storm"
    assert Delivery.objects.get(activity=activity).state == "delivered"
    assert DeliveryAttempt.objects.get(delivery__activity=activity).status == 202


# A page whose actor is an author not known to the site yet: the transport cannot build its object.
GHOST_PAYLOAD = {**PAYLOAD, "category": {"slug": "news", "name": "News", "urgent": False}, "actor": "ghost"}


def test_step_failing_then_retried_completes_exactly_once(django_capture_on_commit_callbacks):
    flow = start_flow(django_capture_on_commit_callbacks, payload=GHOST_PAYLOAD)
    engine.flow_run(flow.pk)  # compose fails in the transport: the step rolls back, the error is logged
    flow.refresh_from_db()
    compose = flow.steps.get(name="compose")
    assert (flow.status, flow.cursor, compose.status) == ("running", "compose", "failed")
    assert "DoesNotExist" in compose.error
    assert not FlowEffect.objects.filter(step=compose).exists() and not Activity.objects.exists()

    local_actor_for_author("ghost", "Ghost")  # the author appears (the cause is mended)
    engine.flow_run(flow.pk)  # the retry (the sweep or Celery's retry would do this)
    flow.refresh_from_db()
    compose.refresh_from_db()
    assert flow.status == "succeeded" and (compose.status, compose.attempts, compose.error) == ("done", 2, "")
    assert Activity.objects.get().actor.username == "ghost"
    assert [e.kind for e in FlowEffect.objects.filter(flow=flow)] == ["record_activity", "schedule_delivery"]


@override_settings(SOCIAL_STEP_MAX_ATTEMPTS=2)
def test_step_failing_every_time_fails_flow_after_max_attempts(django_capture_on_commit_callbacks):
    flow = start_flow(django_capture_on_commit_callbacks, payload=GHOST_PAYLOAD)
    for _ in range(3):
        engine.flow_run(flow.pk)
    flow.refresh_from_db()
    assert flow.status == "failed" and "failed 2 times" in flow.error
    assert flow.steps.get(name="compose").attempts == 2
    assert not Activity.objects.exists() and not LocalActor.objects.filter(username="ghost").exists()


def test_completing_same_claim_twice_does_nothing_the_second_time(django_capture_on_commit_callbacks):
    flow = start_flow(django_capture_on_commit_callbacks)
    engine.flow_advance(flow.pk)  # validate
    claim = engine.flow_step_claim(flow.pk)
    assert claim.name == "compose"
    assert engine.flow_step_complete(claim) == "route"
    assert engine.flow_step_complete(claim) is None  # a redelivered task for a finished step
    assert Activity.objects.count() == 1 and FlowStep.objects.get(flow=flow, name="compose").attempts == 1


def test_live_claim_blocks_second_claim_until_it_stalls(django_capture_on_commit_callbacks):
    flow = start_flow(django_capture_on_commit_callbacks)
    first = engine.flow_step_claim(flow.pk)
    assert engine.flow_step_claim(flow.pk) is None  # someone is running it
    FlowStep.objects.filter(pk=first.step_id).update(claimed_at=timezone.now() - timedelta(hours=1))
    second = engine.flow_step_claim(flow.pk)  # the first worker died: its claim lapsed
    assert second is not None and second.token != first.token
    assert engine.flow_step_complete(first) is None  # the old worker wakes up: its claim is void
    assert engine.flow_step_complete(second) == "compose"
    assert FlowStep.objects.get(pk=second.step_id).attempts == 2


def test_sweep_resumes_only_stalled_flows(django_capture_on_commit_callbacks):
    stalled = start_flow(django_capture_on_commit_callbacks)
    fresh = start_flow(django_capture_on_commit_callbacks, payload={**PAYLOAD, "page_id": 100})
    Flow.objects.filter(pk=stalled.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    assert engine.flows_resume_stalled() == [stalled.pk]
    stalled.refresh_from_db()
    fresh.refresh_from_db()
    assert (stalled.status, fresh.status) == ("succeeded", "pending")


def test_notification_email_sent_at_most_once(
    django_capture_on_commit_callbacks, django_user_model, mailoutbox
):
    staff = django_user_model.objects.create_user(email="staff@example.org", password="x")
    staff.is_staff = True
    staff.save()
    flow = start_flow(django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        engine.flow_run(flow.pk)
    notification = StaffNotification.objects.get()
    assert services.notification_email_send(notification.pk) is False
    assert len(mailoutbox) == 1


def test_same_effect_key_in_another_flow_is_not_performed_again(django_capture_on_commit_callbacks):
    flow = start_flow(django_capture_on_commit_callbacks)
    engine.flow_run(flow.pk)
    other = start_flow(django_capture_on_commit_callbacks)
    other_step = FlowStep.objects.create(flow=other, name="compose", seq=0)
    effect = FlowEffect.objects.get(flow=flow, kind="notify")
    from social.behaviors.effects import Notify

    again = engine.DatabaseDriver().dispatch(
        other, other_step, 0, Notify(**{k: v for k, v in effect.data.items() if k != "kind"})
    )
    assert again.pk == effect.pk and StaffNotification.objects.count() == 1


def test_the_one_durable_sweep_resumes_a_stalled_flow(django_capture_on_commit_callbacks):
    from durable.runner import sweep

    stalled = start_flow(django_capture_on_commit_callbacks)
    Flow.objects.filter(pk=stalled.pk).update(updated_at=timezone.now() - timedelta(hours=1))
    assert sweep() >= 1
    stalled.refresh_from_db()
    assert stalled.status == "succeeded"
