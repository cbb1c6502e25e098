"""The steps of the publishing behaviors: pure functions of a FlowContext, no ORM and no I/O."""

from social.behaviors.context import FlowContext, StepResult
from social.behaviors.effects import Notify, RecordActivity, ScheduleDelivery, SetFederationState
from social.behaviors.graph import step


def refusal_reasons(payload: dict) -> list[str]:
    """Why a post must not federate; empty when it may."""
    if payload.get("revision_missing"):
        return ["the published revision no longer exists (the page was deleted before the flow ran)"]
    if payload.get("source_missing"):
        return ["what it federates no longer exists (it was deleted before the flow ran)"]
    reasons = []
    if not str(payload.get("title") or "").strip():
        reasons.append("it has no title")
    if not str(payload.get("summary") or "").strip():
        reasons.append("it has no summary")
    if payload.get("is_private"):
        reasons.append("it is marked private")
    return reasons


@step("ok", "refused")
def validate_post(ctx: FlowContext) -> StepResult:
    """Refuse to federate a post without a title or summary, or one marked private."""
    reasons = refusal_reasons(dict(ctx.payload))
    if reasons:
        return StepResult("refused", note="not federated: " + "; ".join(reasons), data={"reasons": reasons})
    return StepResult("ok", note="title, summary and visibility are fine")


@step("done")
def forget_object(ctx: FlowContext) -> StepResult:
    """After a refused first publish, the fediverse still knows nothing: the next publish is a Create."""
    return StepResult(
        "done",
        effects=(SetFederationState(ctx.object_key, "none", only_if_activity=ctx.activity_id),),
        note="the next publish will be a Create again",
    )


def _record(ctx: FlowContext, activity_type: str, object_type: str, payload: dict) -> StepResult:
    effect = RecordActivity(
        activity_id=ctx.activity_id,
        activity_type=activity_type,
        object_type=object_type,
        actor=ctx.actor,
        object_key=ctx.object_key,
        payload=payload,
    )
    return StepResult("done", effects=(effect,), note=f"{activity_type} {object_type} {ctx.object_key}")


def _object_type(ctx: FlowContext) -> str:
    # Pages name their object type (events: Event); a payload without one is a post's Article.
    return str(ctx.payload.get("object_type") or "Article")


@step("done")
def compose_create(ctx: FlowContext) -> StepResult:
    return _record(ctx, "Create", _object_type(ctx), dict(ctx.payload))


@step("done")
def compose_update(ctx: FlowContext) -> StepResult:
    return _record(ctx, "Update", _object_type(ctx), dict(ctx.payload))


@step("done")
def compose_delete(ctx: FlowContext) -> StepResult:
    # A Delete carries a Tombstone: only what identifies the object, never the removed content.
    tombstone = {key: ctx.payload[key] for key in ("page_id", "url", "title") if key in ctx.payload}
    return _record(ctx, "Delete", "Tombstone", tombstone)


UNCHANGED_NOTE = "unchanged: nothing sent"


@step("changed", "unchanged")
def skip_unchanged(ctx: FlowContext) -> StepResult:
    """An Update of exactly what the fediverse already has (a save that changed nothing that federates):
    the transport recorded nothing, and nothing is delivered. The log says so, for staff asking why."""
    effects = (ctx.results.get("compose") or {}).get("effects") or ()
    if any((effect.get("receipt") or {}).get("unchanged") for effect in effects if isinstance(effect, dict)):
        return StepResult("unchanged", note=UNCHANGED_NOTE)
    return StepResult("changed", note="what federates changed: the Update goes out")


@step("urgent", "normal")
def route_by_category(ctx: FlowContext) -> StepResult:
    category = ctx.payload.get("category") or {}
    if category.get("urgent"):
        return StepResult("urgent", note=f"category {category.get('name')!r} is urgent")
    return StepResult("normal", note=f"category {category.get('name') or '(none)'!r} is not urgent")


@step("done")
def notify_staff(ctx: FlowContext) -> StepResult:
    title = ctx.payload.get("title") or ctx.object_key
    category = (ctx.payload.get("category") or {}).get("name", "")
    effect = Notify(
        key=f"{ctx.activity_id}:urgent",
        subject=f"Urgent post published: {title}",
        body=f"{ctx.payload.get('summary', '')}\n\nCategory: {category}".strip(),
        url=str(ctx.payload.get("url") or ""),
        level="urgent",
    )
    return StepResult("done", effects=(effect,), note="staff notified (admin and email)")


@step("done")
def deliver(ctx: FlowContext) -> StepResult:
    return StepResult("done", effects=(ScheduleDelivery(ctx.activity_id),), note="handed to the transport")
