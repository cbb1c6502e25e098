"""The persisted engine: claims, retries, idempotency, the sweep and the flow log rows."""

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from social import engine, services
from social.models import Activity, Flow, FlowEffect, FlowStep, StaffNotification
from tests.social.transports import FailingTransport

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def activity_log_transport(settings):
    """These tests read the default activity-log transport's receipts (federation tests its own)."""
    settings.SOCIAL_TRANSPORT = "social.transport_log.ActivityLogTransport"


PAYLOAD = {
    "page_id": 99,
    "title": "Storm",
    "summary": "Batten down.",
    "url": "http://testserver/blog/storm/",
    "category": {"slug": "alerts", "name": "Alerts", "urgent": True},
    "is_private": False,
}


def start_flow(django_capture_on_commit_callbacks, payload=PAYLOAD):
    """A publish flow written but not yet run (its on_commit callback is captured, not executed)."""
    with django_capture_on_commit_callbacks(execute=False):
        return services.flow_start(
            behavior="publish", event="published", object_key="page:99", payload=payload
        )


def test_flow_run_records_steps_effects_and_timings(django_capture_on_commit_callbacks):
    flow = start_flow(django_capture_on_commit_callbacks)
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
    receipt = effects[2].result["receipt"]
    assert receipt == {
        "transport": "activity-log",
        "deliveries_scheduled": 0,
        "detail": "recorded in the activity log",
    }
    assert effects[0].data["payload"]["title"] == "Storm"


@override_settings(SOCIAL_TRANSPORT="tests.social.transports.FailingTransport")
def test_step_failing_then_retried_completes_exactly_once(django_capture_on_commit_callbacks):
    FailingTransport.calls, FailingTransport.failures = 0, 1
    flow = start_flow(django_capture_on_commit_callbacks)
    engine.flow_run(flow.pk)  # the deliver step fails: its transaction rolls back, the error is logged
    flow.refresh_from_db()
    deliver = flow.steps.get(name="deliver")
    assert (flow.status, flow.cursor, deliver.status) == ("running", "deliver", "failed")
    assert "the network is down" in deliver.error
    assert not FlowEffect.objects.filter(step=deliver).exists()

    engine.flow_run(flow.pk)  # the retry (the sweep or Celery's retry would do this)
    flow.refresh_from_db()
    deliver.refresh_from_db()
    assert flow.status == "succeeded" and (deliver.status, deliver.attempts, deliver.error) == ("done", 2, "")
    assert Activity.objects.count() == 1 and StaffNotification.objects.count() == 1
    assert FlowEffect.objects.filter(flow=flow).count() == 3
    assert FailingTransport.calls == 2


@override_settings(SOCIAL_TRANSPORT="tests.social.transports.FailingTransport", SOCIAL_STEP_MAX_ATTEMPTS=2)
def test_step_failing_every_time_fails_flow_after_max_attempts(django_capture_on_commit_callbacks):
    FailingTransport.calls, FailingTransport.failures = 0, 100
    flow = start_flow(django_capture_on_commit_callbacks)
    for _ in range(3):
        engine.flow_run(flow.pk)
    flow.refresh_from_db()
    assert flow.status == "failed" and "failed 2 times" in flow.error and FailingTransport.calls == 2


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
