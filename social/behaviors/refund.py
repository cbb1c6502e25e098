"""The payment_refund behavior: what happens once a refund through SumUp reached its outcome.

Commerce asks for it (commerce.signals.behavior_wanted) when a PaymentRefund was refunded, or was
given up for good, with the refund's row locked; events asks the same for a ticket whose refund could
not even be recorded. The flow is keyed by the refund's idempotency key (`refund:<key>`), so however
often the outcome is reported there is one flow. The steps are pure: they decide, and the effects
name commerce's and events' functions (SOCIAL_FLOW_ACTIONS) that mark the order or the booking
refunded, or flag them for staff, and queue the one email. SumUp was called before, by the runner.
"""

from decimal import Decimal, InvalidOperation

from social.behaviors.context import FlowContext, StepResult
from social.behaviors.effects import Perform
from social.behaviors.graph import END, Behavior, Node, step

OUTCOMES = ("refunded", "failed")
# A ticket's refund is keyed by the ticket (events.refunds): the booking is events' to mark and tell.
TICKET_KEY_PREFIX = "ticket-"


def _key(ctx: FlowContext) -> str:
    return f"refund-{ctx.payload['key']}"


def _for_ticket(ctx: FlowContext) -> bool:
    return str(ctx.payload["key"]).startswith(TICKET_KEY_PREFIX)


def _args(ctx: FlowContext) -> dict:
    return {"refund_key": ctx.payload["key"]}


@step("ok", "refused")
def validate_refund(ctx: FlowContext) -> StepResult:
    """Act only on an outcome we know, for a refund that names what it gives back."""
    payload = ctx.payload
    if not payload.get("key") or payload.get("outcome") not in OUTCOMES:
        reason = f"unknown refund outcome {payload.get('outcome')!r} for {payload.get('key')!r}"
        return StepResult("refused", note=reason, data={"reason": reason})
    try:
        amount = Decimal(str(payload.get("amount") or "0"))
    except (InvalidOperation, ValueError):
        amount = Decimal("0")
    if payload["outcome"] == "refunded" and amount <= 0:
        reason = f"refund {payload['key']} reported refunded without an amount"
        return StepResult("refused", note=reason, data={"reason": reason})
    amount_text = f"{payload.get('amount') or 'no amount'} {payload.get('currency', '')}".strip()
    return StepResult("ok", note=amount_text)


@step("refunded", "refused")
def route_by_outcome(ctx: FlowContext) -> StepResult:
    """Refunded: mark it. Given up (SumUp refused, or kept failing): the money is still ours, so staff
    must refund by hand; the flow is listed as refused, as a settlement that placed no order is."""
    if ctx.payload["outcome"] == "refunded":
        return StepResult("refunded", note="SumUp refunded it")
    reason = str(ctx.payload.get("error") or "the automatic refund was given up")
    return StepResult("refused", note=f"not refunded: {reason}", data={"reason": reason})


@step("done")
def mark_refunded(ctx: FlowContext) -> StepResult:
    effects = [Perform(action="refund_mark", key=_key(ctx), args=_args(ctx))]
    if _for_ticket(ctx):
        effects.append(Perform(action="ticket_refund_mark", key=_key(ctx), args=_args(ctx)))
    return StepResult("done", effects=tuple(effects), note="marked refunded in the order's books")


@step("done")
def flag_for_staff(ctx: FlowContext) -> StepResult:
    args = {**_args(ctx), "error": str(ctx.payload.get("error") or "")}
    effects = [Perform(action="refund_flag", key=_key(ctx), args=args)]
    if _for_ticket(ctx):
        effects.append(Perform(action="ticket_refund_flag", key=_key(ctx), args=args))
    return StepResult("done", effects=tuple(effects), note="flagged for staff to refund by hand")


@step("done")
def tell_holder(ctx: FlowContext) -> StepResult:
    if ctx.payload["outcome"] == "refunded" and ctx.payload.get("told_when_owed"):
        return StepResult("done", note="shopper told when the refund was owed: no second email")
    action = "ticket_refund_tell" if _for_ticket(ctx) else "refund_tell"
    args = {**_args(ctx), "outcome": ctx.payload["outcome"]}
    effect = Perform(action=action, key=_key(ctx), args=args)
    who = "ticket holder" if _for_ticket(ctx) else "shopper"
    return StepResult("done", effects=(effect,), note=f"{who} emailed once, after commit")


PAYMENT_REFUND = Behavior(
    name="payment_refund",
    description=(
        "A refund through SumUp reached its outcome: mark the order or ticket refunded, or flag it for "
        "staff to refund by hand, and tell the shopper or ticket holder."
    ),
    start="validate",
    nodes={
        "validate": Node(validate_refund, {"ok": "outcome?", "refused": END}),
        "outcome?": Node(route_by_outcome, {"refunded": "mark", "refused": "flag"}),
        "mark": Node(mark_refunded, {"done": "tell"}),
        "flag": Node(flag_for_staff, {"done": "tell"}),
        "tell": Node(tell_holder, {"done": END}),
    },
)
