"""The event_cancellation and occurrence_cancellation behaviors: what happens once an organiser calls
off a whole event, or one date of a recurring one.

events asks for it in the cancellation's own transaction (events.cancellation.event_cancel), so the
flow commits with the event marked cancelled, or neither does. The steps are pure; each effect names
one of events' functions (SOCIAL_FLOW_ACTIONS), run in the step's transaction: refunds are sent by
the one runner and emails go after commit.
"""

from social.behaviors.context import FlowContext, StepResult
from social.behaviors.effects import Perform
from social.behaviors.graph import END, Behavior, Node, step


def _key(ctx: FlowContext) -> str:
    # One date's flow keys its effects by the date too: each date is called off once, apart from the others.
    stamp = ctx.payload.get("occurrence_ts")
    return f"event-{ctx.payload['event_id']}" + ("" if stamp is None else f"-{stamp}")


def _called_off(ctx: FlowContext) -> dict:
    [answer] = ctx.results["call_off"]["effects"]
    return dict(answer)


@step("done")
def call_off_bookings(ctx: FlowContext) -> StepResult:
    effect = Perform(
        action="event_bookings_call_off", key=_key(ctx), args={"event_id": ctx.payload["event_id"]}
    )
    return StepResult("done", effects=(effect,), note="cancel every booking held for a date to come")


@step("paid", "free", "nobody")
def route_by_tickets(ctx: FlowContext) -> StepResult:
    called_off = _called_off(ctx)
    cancelled, paid = called_off.get("cancelled") or [], called_off.get("paid") or []
    if not cancelled:
        return StepResult("nobody", note="no ticket was held")
    if paid:
        return StepResult("paid", note=f"{len(cancelled)} ticket(s) cancelled, {len(paid)} paid")
    return StepResult("free", note=f"{len(cancelled)} free ticket(s) cancelled")


@step("done")
def owe_refunds(ctx: FlowContext) -> StepResult:
    paid = list(_called_off(ctx).get("paid") or [])
    effect = Perform(action="ticket_refunds_owe", key=_key(ctx), args={"booking_ids": paid})
    return StepResult("done", effects=(effect,), note=f"a refund owed for each of {len(paid)} paid seat(s)")


@step("done")
def tell_holders(ctx: FlowContext) -> StepResult:
    args = {"event_id": ctx.payload["event_id"], "booking_ids": list(_called_off(ctx).get("cancelled") or [])}
    effect = Perform(action="event_holders_tell", key=_key(ctx), args=args)
    return StepResult("done", effects=(effect,), note="each holder emailed once, after commit")


@step("done")
def federate(ctx: FlowContext) -> StepResult:
    effect = Perform(action="event_federate", key=_key(ctx), args={"event_id": ctx.payload["event_id"]})
    return StepResult("done", effects=(effect,), note="reported to federation: the fediverse gets a Delete")


EVENT_CANCELLATION = Behavior(
    name="event_cancellation",
    description=(
        "An organiser called off a whole event: cancel its held tickets, owe each paid seat its refund, "
        "tell the holders, and send the fediverse a Delete."
    ),
    start="call_off",
    nodes={
        "call_off": Node(call_off_bookings, {"done": "tickets?"}),
        "tickets?": Node(route_by_tickets, {"paid": "refunds", "free": "tell", "nobody": "federate"}),
        "refunds": Node(owe_refunds, {"done": "tell"}),
        "tell": Node(tell_holders, {"done": "federate"}),
        "federate": Node(federate, {"done": END}),
    },
)


# --- one date of a recurring event -----------------------------------------------------------------
@step("ok", "refused")
def validate_occurrence(ctx: FlowContext) -> StepResult:
    """Only a date that is cancelled, of an event still on: once the whole event is called off, its own
    flow cancelled every date's tickets and sent the Delete, so a date's flow has nothing left to do."""
    payload = ctx.payload
    if payload.get("event_cancelled"):
        reason = "the whole event is cancelled: its event_cancellation flow called off every date"
        return StepResult("refused", note=reason, data={"reason": reason})
    if not payload.get("date_cancelled"):
        reason = f"the date {payload.get('original_start')} is not cancelled"
        return StepResult("refused", note=reason, data={"reason": reason})
    return StepResult("ok", note=f"the date {payload.get('original_start')} is cancelled")


@step("done")
def call_off_date_bookings(ctx: FlowContext) -> StepResult:
    args = {"event_id": ctx.payload["event_id"], "original_start": ctx.payload["original_start"]}
    effect = Perform(action="occurrence_bookings_call_off", key=_key(ctx), args=args)
    return StepResult("done", effects=(effect,), note="cancel every booking held for this date only")


@step("done")
def tell_date_holders(ctx: FlowContext) -> StepResult:
    args = {"event_id": ctx.payload["event_id"], "booking_ids": list(_called_off(ctx).get("cancelled") or [])}
    effect = Perform(action="occurrence_holders_tell", key=_key(ctx), args=args)
    return StepResult("done", effects=(effect,), note="each ticket emailed once, after commit")


@step("done")
def federate_date(ctx: FlowContext) -> StepResult:
    effect = Perform(action="occurrence_federate", key=_key(ctx), args={"event_id": ctx.payload["event_id"]})
    return StepResult("done", effects=(effect,), note="reported to federation: an Update with the next date")


OCCURRENCE_CANCELLATION = Behavior(
    name="occurrence_cancellation",
    description=(
        "An organiser cancelled one date of a recurring event: cancel that date's held tickets, owe each "
        "paid seat its refund, tell the holders, and send the fediverse an Update with the next date."
    ),
    start="validate",
    nodes={
        "validate": Node(validate_occurrence, {"ok": "call_off", "refused": END}),
        "call_off": Node(call_off_date_bookings, {"done": "tickets?"}),
        "tickets?": Node(route_by_tickets, {"paid": "refunds", "free": "tell", "nobody": "federate"}),
        "refunds": Node(owe_refunds, {"done": "tell"}),
        "tell": Node(tell_date_holders, {"done": "federate"}),
        "federate": Node(federate_date, {"done": END}),
    },
)
