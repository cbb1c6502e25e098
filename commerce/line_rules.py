"""Rules other apps declare about what one basket line may hold (a ticket's date and quota, say).

Commerce asks them at every basket change (the add form, the basket's quantity form through the
pricing strategy), before sending the shopper to SumUp, and again when the paid order is placed.
Apps register a rule from their AppConfig.ready(), so imports run one way: they import commerce.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

# A rule sees the product, the line's options ({option code: value}), the quantity the line would
# hold, and the basket it is in (None for a basket not saved yet); it returns None or a refusal.
LineRule = Callable[..., "LineRefusal | None"]

_rules: list[LineRule] = []


@dataclass(frozen=True)
class LineRefusal:
    """Why a line cannot hold that quantity; `option_code` names the option at fault, if one is."""

    message: str
    option_code: str = ""


def line_rule_register(rule: LineRule) -> None:
    if rule not in _rules:
        _rules.append(rule)


def line_refusal(product, options: dict[str, object], quantity: int, *, basket_id=None) -> LineRefusal | None:
    for rule in _rules:
        refusal = rule(product, options, quantity, basket_id=basket_id)
        if refusal is not None:
            return refusal
    return None


def line_options(line) -> dict[str, object]:
    if line.pk is None:
        return {}
    return {attribute.option.code: attribute.value for attribute in line.attributes.all()}


def basket_line_refusals(basket) -> list[str]:
    """What every rule says against the basket's lines as they stand; empty when all may be bought."""
    refusals = []
    for line in basket.all_lines():
        refusal = line_refusal(line.product, line_options(line), line.quantity, basket_id=basket.id)
        if refusal is not None:
            refusals.append(f"{line.product.get_title()}: {refusal.message}")
    return refusals
