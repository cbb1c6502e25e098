"""Stock held for checkouts: lock a basket's stock records, reserve (Oscar's `num_allocated`), release.

Reservations are made under row locks, in primary-key order so two baskets sharing products cannot
deadlock, when the shopper is sent to SumUp, so the last units cannot be sold twice.
"""

from __future__ import annotations

from collections import Counter

from oscar.core.loading import get_model

StockRecord = get_model("partner", "StockRecord")

__all__ = ["CheckoutRefused", "SoldOut", "basket_demand", "basket_lock", "stock_release", "stock_reserve"]


class CheckoutRefused(Exception):
    """The basket cannot be bought as it stands; the message says why. Nothing was reserved."""


class SoldOut(CheckoutRefused):
    """Not enough stock left for some basket lines; `titles` names the products."""

    def __init__(self, titles: list[str]):
        self.titles = titles
        super().__init__(
            f"Sorry, sold out: {', '.join(titles)}. Your basket has been kept; please adjust it."
        )


def _basket_demand(basket) -> tuple[Counter, dict[int, str]]:
    demand: Counter = Counter()
    titles: dict[int, str] = {}
    for line in basket.all_lines():
        if line.stockrecord_id and line.product.get_product_class().track_stock:
            demand[line.stockrecord_id] += line.quantity
            titles[line.stockrecord_id] = line.product.get_title()
    return demand, titles


def basket_demand(basket) -> dict[str, int]:
    """{stock record id: quantity} the basket's stock-tracked lines need, as `stock_reserve` records it."""
    demand, _ = _basket_demand(basket)
    return {str(pk): quantity for pk, quantity in demand.items()}


def stock_reserve(basket) -> dict[str, int]:
    """Allocate the basket's quantities on locked stock records, or raise SoldOut touching nothing."""
    demand, titles = _basket_demand(basket)
    # Lock in primary-key order so two baskets sharing products cannot deadlock.
    records = list(StockRecord.objects.select_for_update().filter(pk__in=demand).order_by("pk"))
    short = [titles[r.pk] for r in records if (r.num_in_stock or 0) - (r.num_allocated or 0) < demand[r.pk]]
    if short:
        raise SoldOut(short)
    for record in records:
        record.num_allocated = (record.num_allocated or 0) + demand[record.pk]
        record.save(update_fields=["num_allocated"])
    return {str(pk): quantity for pk, quantity in demand.items()}


def stock_release(reserved: dict[str, int]) -> None:
    records = (
        StockRecord.objects.select_for_update().filter(pk__in=[int(pk) for pk in reserved]).order_by("pk")
    )
    for record in records:
        record.num_allocated = max(0, (record.num_allocated or 0) - reserved[str(record.pk)])
        record.save(update_fields=["num_allocated"])


def basket_lock(basket) -> None:
    """Lock the stock records of the basket's lines in primary-key order: checks and reservations
    of baskets sharing a product (a ticket type, the last jar) then run one after the other."""
    ids = sorted({line.stockrecord_id for line in basket.all_lines() if line.stockrecord_id})
    list(StockRecord.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
