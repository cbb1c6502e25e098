"""The payment_settlement behavior: what happens once SumUp says a checkout was paid.

Commerce asks for it (commerce.signals.behavior_wanted, in the transaction holding the payment's
row lock) with the facts: what the basket needed, what SumUp says was paid, and whether the checkout
was still open ("paid") or had already been closed ("paid_late"). The steps are pure: they decide, and
the effects name commerce's functions (SOCIAL_FLOW_ACTIONS) that place the order or owe the refund in
the step's transaction. SumUp is asked before the flow starts and refunded by the one runner after.
"""

from decimal import Decimal, InvalidOperation

from social.behaviors.context import FlowContext, StepResult
from social.behaviors.effects import Perform
from social.behaviors.graph import END, Behavior, Node, step


def _amount(text: object) -> Decimal | None:
    try:
        return Decimal(str(text))
    except (InvalidOperation, ValueError):
        return None


def _key(ctx: FlowContext) -> str:
    return f"payment-{ctx.payload['attempt_id']}"


def _refund_reason(ctx: FlowContext) -> str:
    """Why the money goes back: the first step on the path that said so."""
    for name in ("validate", "route", "placed?"):
        reason = (ctx.results.get(name) or {}).get("reason")
        if reason:
            return str(reason)
    return "no order could be placed"


@step("ok", "mismatch")
def validate_payment(ctx: FlowContext) -> StepResult:
    """The order is placed only for exactly what was paid: SumUp's amount and currency."""
    payload = ctx.payload
    expected, paid = _amount(payload.get("amount")), _amount(payload.get("paid_amount"))
    if paid is None or paid != expected or payload.get("paid_currency") != payload.get("currency"):
        reason = (
            f"SumUp reports {payload.get('paid_amount') or 'no amount'} {payload.get('paid_currency')}, "
            f"expected {payload.get('amount')} {payload.get('currency')}"
        )
        return StepResult("mismatch", note=reason, data={"reason": reason})
    return StepResult("ok", note=f"{paid} {payload['currency']} paid, as expected")


@step("place", "late")
def route_by_outcome(ctx: FlowContext) -> StepResult:
    """Paid while the checkout was open: place the order. Paid after we closed it: the stock and the
    basket went back and the shopper was told no order was placed, so the money goes back instead."""
    if ctx.payload.get("outcome") == "paid_late":
        reason = str(ctx.payload.get("why") or "SumUp reports it paid after the checkout had closed")
        return StepResult("late", note=reason, data={"reason": reason})
    return StepResult("place", note="paid while the checkout was open")


@step("done")
def place_order(ctx: FlowContext) -> StepResult:
    attempt_id = ctx.payload["attempt_id"]
    effect = Perform(action="order_place", key=_key(ctx), args={"attempt_id": attempt_id})
    return StepResult("done", effects=(effect,), note="place the order (once per payment)")


@step("placed", "refused")
def route_by_placement(ctx: FlowContext) -> StepResult:
    [placement] = ctx.results["place"]["effects"]
    if placement.get("placed"):
        return StepResult("placed", note=f"order {placement.get('order_number')} placed")
    reason = str(placement.get("reason") or "the order could not be placed")
    return StepResult("refused", note=reason, data={"reason": reason})


@step("done")
def confirm_order(ctx: FlowContext) -> StepResult:
    effect = Perform(action="order_confirm", key=_key(ctx), args={"attempt_id": ctx.payload["attempt_id"]})
    return StepResult("done", effects=(effect,), note="order confirmation emailed after commit")


@step("done")
def owe_refund(ctx: FlowContext) -> StepResult:
    reason = _refund_reason(ctx)
    args = {"attempt_id": ctx.payload["attempt_id"], "reason": reason}
    effect = Perform(action="refund_owe", key=_key(ctx), args=args)
    return StepResult("done", effects=(effect,), note=f"refund in full owed: {reason}")


@step("done")
def tell_shopper(ctx: FlowContext) -> StepResult:
    args = {"attempt_id": ctx.payload["attempt_id"]}
    effect = Perform(action="refund_tell_shopper", key=_key(ctx), args=args)
    return StepResult("done", effects=(effect,), note="shopper emailed after commit: no order, money back")


PAYMENT_SETTLEMENT = Behavior(
    name="payment_settlement",
    description=(
        "SumUp says a checkout was paid: place exactly one order, or, when it cannot be placed, owe "
        "the shopper a refund in full."
    ),
    start="validate",
    nodes={
        "validate": Node(validate_payment, {"ok": "route", "mismatch": "refund"}),
        "route": Node(route_by_outcome, {"place": "place", "late": "refund"}),
        "place": Node(place_order, {"done": "placed?"}),
        "placed?": Node(route_by_placement, {"placed": "confirm", "refused": "refund"}),
        "confirm": Node(confirm_order, {"done": END}),
        "refund": Node(owe_refund, {"done": "tell"}),
        "tell": Node(tell_shopper, {"done": END}),
    },
)
