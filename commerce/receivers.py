"""Signal receivers for commerce: the customer's email when staff move an order along its pipeline,
refresh the front door's copies of a changed product, keep Oscar's recently-viewed cookie off pages
the door shares."""

from typing import Any

from django.db import transaction
from oscar.apps.customer.receivers import receive_product_view

from commerce import tasks
from commerce.order_status import STATUS_MESSAGES
from edge.front_door import front_door_refresh_tags, front_door_shared


def on_order_status_changed(sender: Any, order: Any, old_status: str, new_status: str, **kwargs: Any) -> None:
    """Oscar's order_status_changed: queue the customer's email for when the change commits."""
    if new_status not in STATUS_MESSAGES:
        return
    # The pipeline only moves forward, so an order reaches a status once; a change to it already
    # recorded is a second request doing the same move at the same time (two staff clicking
    # "Dispatched"). Oscar records the change after this signal, and this transaction's save of the
    # order waited on the first's row lock, so the first's change is committed and visible here.
    if order.status_changes.filter(new_status=new_status).exists():
        return
    order_id = order.pk
    transaction.on_commit(lambda: tasks.order_status_email.delay(order_id, new_status))


def on_product_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A product, its stock, images or categories changed: its page (and its parent's and variants',
    which show its price and stock), the catalogue's listings, the market page and the pages of the
    producers who stock it (their cards show its price and stock) are refreshed at the door."""
    from oscar.core.loading import get_model

    product_model = get_model("catalogue", "Product")
    stock_record_model = get_model("partner", "StockRecord")
    product_id = instance.pk if isinstance(instance, product_model) else getattr(instance, "product_id", None)
    tags = {"catalogue", "market"}
    partner_ids = {getattr(instance, "partner_id", None)}  # a deleted stock record's row is gone
    if product_id:
        family = product_model.objects.filter(pk=product_id).values_list("parent_id", flat=True)
        related = {product_id, *family}
        related |= set(product_model.objects.filter(parent_id__in=related).values_list("pk", flat=True))
        tags |= {f"product:{pk}" for pk in related if pk}
        stocked = stock_record_model.objects.filter(product_id__in=related).values_list(
            "partner_id", flat=True
        )
        partner_ids |= set(stocked)
    tags |= {f"producer:{pk}" for pk in partner_ids if pk}
    front_door_refresh_tags(tags)


def on_product_viewed(sender: Any, request: Any = None, **kwargs: Any) -> None:
    """Oscar's recently-viewed list is a cookie set on the product page: a page shared with every
    anonymous reader sets none (the door would refuse it), so those readers' visits are not listed."""
    if request is not None and front_door_shared(request):
        return
    receive_product_view(sender, request=request, **kwargs)
