"""The engine: the runner seam (in-process here, Celery in social.runners) and the flow log driver.

A flow advances one step at a time, each in two short transactions:

1. claim — lock the flow row (skip it if another process holds it), create or re-claim the FlowStep
   for the flow's cursor with a fresh claim token, commit. The claim is visible in the log, so a
   step whose worker died shows as "running" until the sweep re-claims it after the stall lease.
2. complete — lock the flow row again, check our claim token is still the step's, run the pure
   step, dispatch its effects through the driver (each a FlowEffect row under a unique key), move
   the cursor, commit. A crash anywhere in here rolls the whole step back; re-running it hands back
   the same effects, so nothing is recorded or delivered twice.
"""

import logging
import os
import socket
import time
import traceback
import uuid
from dataclasses import asdict, dataclass
from datetime import timedelta
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from social import registry
from social.behaviors import behavior_get
from social.behaviors.context import FlowContext
from social.behaviors.effects import (
    Effect,
    Notify,
    Perform,
    RecordActivity,
    ScheduleDelivery,
    SetFederationState,
)
from social.behaviors.graph import END
from social.behaviors.runtime import step_run
from social.federation.models import FederatedObject
from social.federation.transport import ActivityPubTransport, OutboundActivity
from social.models import Flow, FlowEffect, FlowStep, StaffNotification
from social.signals import staff_notification_created

logger = logging.getLogger(__name__)

WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"


# --- seams -------------------------------------------------------------------------------------
class FlowRunner(Protocol):
    def start(self, flow_id: int) -> None: ...


class InProcessRunner:
    """Runs the whole flow right away in this process (after the publish transaction commits)."""

    def start(self, flow_id: int) -> None:
        flow_run(flow_id)


def runner() -> FlowRunner:
    # Loaded by path at call time: the Celery runner sits beside the tasks, which the engine never imports.
    return import_string(settings.SOCIAL_FLOW_RUNNER)()


def transport() -> ActivityPubTransport:
    """The one outbound transport (social/federation): pages and hub activities alike."""
    return ActivityPubTransport()


# --- the driver --------------------------------------------------------------------------------
class DatabaseDriver:
    """Performs each effect inside the step's transaction and records it as a FlowEffect row."""

    def dispatch(self, flow: Flow, step: FlowStep, seq: int, effect: Effect) -> FlowEffect:
        existing = FlowEffect.objects.filter(idempotency_key=effect.idempotency_key).first()
        if existing is not None:
            # Only a different flow could have committed this key (a retried step rolls back its own).
            return existing
        started = time.perf_counter()
        handler = getattr(self, f"_perform_{effect.kind}")
        result = handler(flow, effect)
        return FlowEffect.objects.create(
            flow=flow,
            step=step,
            seq=seq,
            kind=effect.kind,
            idempotency_key=effect.idempotency_key,
            data=effect.as_data(),
            result=result,
            duration_ms=(time.perf_counter() - started) * 1000,
        )

    def _perform_record_activity(self, flow: Flow, effect: RecordActivity) -> dict[str, Any]:
        return {"receipt": asdict(transport().record(_outbound(flow, effect.as_data())))}

    def _perform_schedule_delivery(self, flow: Flow, effect: ScheduleDelivery) -> dict[str, Any]:
        # The activity as the flow log recorded it: the RecordActivity effect row of the same activity.
        recorded = FlowEffect.objects.get(idempotency_key=RecordActivity.key_for(effect.activity_id))
        return {"receipt": asdict(transport().schedule(_outbound(flow, recorded.data)))}

    def _perform_notify(self, flow: Flow, effect: Notify) -> dict[str, Any]:
        notification, created = StaffNotification.objects.get_or_create(
            key=effect.key,
            defaults={
                "subject": effect.subject[:255],
                "body": effect.body,
                "url": effect.url,
                "level": effect.level,
                "flow": flow,
            },
        )
        if created:
            # The receiver (social.receivers) queues the email; the engine imports no tasks.
            notification_id = notification.pk
            transaction.on_commit(
                lambda: staff_notification_created.send(
                    sender=StaffNotification, notification_id=notification_id
                )
            )
        return {"notification": notification.pk, "created": created, "email": "queued on commit"}

    def _perform_set_federation_state(self, flow: Flow, effect: SetFederationState) -> dict[str, Any]:
        objects = FederatedObject.all_objects.filter(object_key=effect.object_key)
        if effect.only_if_activity:
            objects = objects.filter(created_activity_id=effect.only_if_activity)
        return {"updated": objects.update(state=effect.state)}

    def _perform_perform(self, flow: Flow, effect: Perform) -> dict[str, Any]:
        # By name, from settings: social never imports the apps whose business it runs (commerce).
        action = import_string(settings.SOCIAL_FLOW_ACTIONS[effect.action])
        return dict(action(**effect.args))


def _outbound(flow: Flow, data: dict[str, Any]) -> OutboundActivity:
    return OutboundActivity(
        activity_id=data["activity_id"],
        activity_type=data["activity_type"],
        actor=data["actor"],
        object_type=data["object_type"],
        object_key=data["object_key"],
        payload=data["payload"],
        flow_id=flow.pk,
    )


# --- advancing a flow --------------------------------------------------------------------------
@dataclass(frozen=True)
class StepClaim:
    flow_id: int
    step_id: int
    name: str
    token: str


def _stall_cutoff():
    return timezone.now() - timedelta(seconds=settings.SOCIAL_FLOW_STALL_SECONDS)


def flow_step_claim(flow_id: int) -> StepClaim | None:
    """Claim the flow's next step, or None if it is finished, failed or being run elsewhere."""
    with transaction.atomic():
        flow = (
            Flow.objects.select_for_update(skip_locked=True)
            .filter(pk=flow_id, status__in=Flow.ACTIVE)
            .first()
        )
        if flow is None or not flow.cursor:
            return None
        step, created = FlowStep.objects.get_or_create(
            flow=flow, name=flow.cursor, defaults={"seq": len(flow.path)}
        )
        if not created:
            if step.status == FlowStep.Status.DONE:
                return None
            if (
                step.status == FlowStep.Status.RUNNING
                and step.claimed_at
                and step.claimed_at > _stall_cutoff()
            ):
                return None  # a live claim: its process is (probably) still at work
        if step.attempts >= (step.attempt_limit or settings.SOCIAL_STEP_MAX_ATTEMPTS):
            flow.status = Flow.Status.FAILED
            flow.error = f"step {step.name!r} failed {step.attempts} times; last error:\n{step.error}"
            flow.finished_at = timezone.now()
            flow.save(update_fields=["status", "error", "finished_at", "updated_at"])
            return None
        step.attempts += 1
        step.status = FlowStep.Status.RUNNING
        step.claim_token = uuid.uuid4().hex
        step.claimed_by = WORKER_ID
        step.claimed_at = timezone.now()
        step.save()
        flow.status = Flow.Status.RUNNING
        flow.started_at = flow.started_at or step.claimed_at
        flow.save(update_fields=["status", "started_at", "updated_at"])
        return StepClaim(flow.pk, step.pk, step.name, step.claim_token)


def flow_payload_read(flow: Flow) -> dict | None:
    """The payload for a flow that names a page revision, or a non-page source, and has none yet: read
    once (from that revision, or from the source as it is now) and stored with the step that reads it,
    so every later step, and the flow log, sees the same data. None when the flow needs none.

    The caller's transaction only wrote the flow; building the payload (rendering the body, the hero
    rendition, tags, authors, the next date) is the runner's work, done before the step locks the flow:
    rendering a body asks the oEmbed provider of an embed not stored yet, and no row may stay locked
    (nor a transaction open) while it answers.
    """
    if flow.payload:
        return None
    if flow.revision_id is not None:
        payload = registry.revision_payload(flow.revision_id, published_at=flow.created_at)
        # A page deleted before its flow ran takes its revisions with it: `validate` refuses and says so.
        return payload or {"page_id": flow.page_id, "revision_missing": True}
    if registry.is_source_key(flow.object_key):
        # A source deleted before its flow ran: `validate` refuses, and its deletion's flow says Delete.
        return registry.source_payload(flow.object_key) or {"source_missing": True}
    return None


def flow_context(flow: Flow) -> FlowContext:
    ctx = FlowContext(
        behavior=flow.behavior,
        event=flow.event,
        object_key=flow.object_key,
        activity_id=flow.activity_id,
        payload=flow.payload,
        # A page type may name the actor that publishes it (events: @events); posts belong to @blog.
        actor=str((flow.payload or {}).get("actor") or "blog"),
        flow_id=flow.pk,
    )
    done = flow.steps.filter(status=FlowStep.Status.DONE).order_by("seq").prefetch_related("effects")
    for step in done:
        # Each effect's result (a transport receipt, say) too: a later step may branch on what was done.
        effects = [effect.result for effect in step.effects.all()]
        ctx = ctx.with_result(step.name, {"branch": step.branch, **step.data, "effects": effects})
    return ctx


def flow_step_complete(claim: StepClaim) -> str | None:
    """Run the claimed step and commit it with its effects; the next step's name, or None."""
    started = time.perf_counter()
    try:
        payload = flow_payload_read(Flow.objects.get(pk=claim.flow_id))  # before the lock: see there
        with transaction.atomic():
            flow = Flow.objects.select_for_update().get(pk=claim.flow_id)
            step = FlowStep.objects.select_for_update().get(pk=claim.step_id)
            if flow.cursor != step.name or step.claim_token != claim.token or step.status != "running":
                return None  # our claim was taken over after a stall: the newer claim owns the step
            behavior = behavior_get(flow.behavior)
            payload_resolved = payload is not None and not flow.payload
            if payload_resolved:
                flow.payload = payload
            outcome = step_run(behavior, step.name, flow_context(flow))
            driver = DatabaseDriver()
            for seq, effect in enumerate(outcome.result.effects):
                driver.dispatch(flow, step, seq, effect)
            now = timezone.now()
            step.status = FlowStep.Status.DONE
            step.branch = outcome.result.branch
            step.note = outcome.result.note
            step.data = dict(outcome.result.data)
            step.error = ""
            step.finished_at = now
            step.duration_ms = (time.perf_counter() - started) * 1000
            step.save()
            flow.path = [*flow.path, step.name]
            if outcome.next_step == END:
                flow.cursor = ""
                refused = outcome.result.branch == "refused" or flow.steps.filter(branch="refused").exists()
                flow.status = Flow.Status.REFUSED if refused else Flow.Status.SUCCEEDED
                flow.finished_at = now
            else:
                flow.cursor = outcome.next_step
            fields = ["path", "cursor", "status", "finished_at", "updated_at"]
            flow.save(update_fields=[*fields, "payload"] if payload_resolved else fields)
            logger.info(
                "flow %s %s step %s: %s, %d effect(s)",
                flow.pk,
                flow.object_key,
                step.name,
                step.branch or "done",
                len(outcome.result.effects),
            )
            return flow.cursor or None
    except Exception:
        # The step's transaction rolled back; record why on the step so the log shows each failure.
        # A connection killed under the payload read (no transaction open, so Django kept it) is
        # dropped first, as Django drops it between requests; the update below opens a new one.
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
        FlowStep.objects.filter(pk=claim.step_id, claim_token=claim.token).update(
            status=FlowStep.Status.FAILED,
            error=traceback.format_exc(limit=8),
            duration_ms=(time.perf_counter() - started) * 1000,
        )
        Flow.objects.filter(pk=claim.flow_id).update(updated_at=timezone.now())
        raise


def flow_advance(flow_id: int) -> str | None:
    """Claim and complete one step; the name of the step that comes next, or None."""
    claim = flow_step_claim(flow_id)
    if claim is None:
        return None
    return flow_step_complete(claim)


def flow_run(flow_id: int) -> None:
    """Run a flow to its end in this process. A failing step is left for the sweep to retry."""
    while True:
        try:
            if flow_advance(flow_id) is None:
                return
        except Exception:
            return  # recorded on the step; flows_resume_stalled retries it later


def flows_resume_stalled() -> list[int]:
    """Hand every active flow that has not moved for the stall lease back to the runner."""
    stalled = list(
        Flow.objects.filter(status__in=Flow.ACTIVE, updated_at__lt=_stall_cutoff()).values_list(
            "pk", flat=True
        )
    )
    flow_runner = runner()
    for flow_id in stalled:
        flow_runner.start(flow_id)
    return stalled
