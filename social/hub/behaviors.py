"""The hub's behavior: every hub action (follow, unfollow, like, boost, undo, a note) is one flow.

Declared with the DAG's graph API, so it is checked at import time, and its steps are pure: the
activity was built by the service that started the flow; steps only decide and emit effects.
"""

from social.behaviors import behavior_register
from social.behaviors.context import FlowContext, StepResult
from social.behaviors.effects import RecordActivity, ScheduleDelivery
from social.behaviors.graph import END, Behavior, Node, step

MAX_NOTE_CHARS = 5000


def refusal_reasons(payload: dict) -> list[str]:
    """Why a hub activity must not go out; empty when it may."""
    reasons = []
    activity = payload.get("activity") or {}
    if not activity.get("id") or not activity.get("type"):
        reasons.append("the activity has no id or type")
    if not payload.get("inboxes") and not payload.get("followers"):
        reasons.append("it has nobody to go to")
    obj = activity.get("object")
    if activity.get("type") == "Create" and isinstance(obj, dict):
        if not str(obj.get("content") or "").strip():
            reasons.append("the note is empty")
        elif len(str(obj.get("content"))) > MAX_NOTE_CHARS * 4:
            reasons.append("the note is too long")
    return reasons


@step("ok", "refused")
def validate_activity(ctx: FlowContext) -> StepResult:
    reasons = refusal_reasons(dict(ctx.payload))
    if reasons:
        return StepResult("refused", note="not sent: " + "; ".join(reasons), data={"reasons": reasons})
    return StepResult("ok", note=f"{ctx.payload['activity']['type']} is fine")


@step("done")
def record_activity(ctx: FlowContext) -> StepResult:
    payload = dict(ctx.payload)
    activity = payload["activity"]
    obj = activity.get("object")
    effect = RecordActivity(
        activity_id=ctx.activity_id,
        activity_type=activity["type"],
        object_type=(obj.get("type") if isinstance(obj, dict) else "Link") or "Link",
        actor=payload["actor"],
        object_key=ctx.object_key,
        payload=payload,
    )
    recipients = len(payload.get("inboxes") or []) + (1 if payload.get("followers") else 0)
    return StepResult("done", effects=(effect,), note=f"{activity['type']} to {recipients} audience(s)")


@step("done")
def deliver(ctx: FlowContext) -> StepResult:
    return StepResult("done", effects=(ScheduleDelivery(ctx.activity_id),), note="handed to the transport")


HUB_SEND = behavior_register(
    Behavior(
        name="hub_send",
        description="An action from the social hub: send one activity to its audience.",
        start="validate",
        nodes={
            "validate": Node(validate_activity, {"ok": "record", "refused": END}),
            "record": Node(record_activity, {"done": "deliver"}),
            "deliver": Node(deliver, {"done": END}),
        },
    )
)
