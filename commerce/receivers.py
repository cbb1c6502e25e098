"""Signal receivers for commerce: queue the refunds the services wrote down, refresh the front door's
copies of a changed product, keep Oscar's recently-viewed cookie off pages the door shares."""

from typing import Any

from oscar.apps.customer.receivers import receive_product_view

from commerce import tasks
from edge.front_door import front_door_refresh_tags, front_door_shared


def on_refund_owed(sender: Any, refund_id: int, **kwargs: Any) -> None:
    tasks.refund_send.delay(refund_id)


def on_product_changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    """A product, its stock, images or categories changed: its page (and its parent's and variants',
    which show its price and stock) and the catalogue's listings are refreshed at the door."""
    from oscar.core.loading import get_model

    product_model = get_model("catalogue", "Product")
    product_id = instance.pk if isinstance(instance, product_model) else getattr(instance, "product_id", None)
    tags = {"catalogue"}
    if product_id:
        family = product_model.objects.filter(pk=product_id).values_list("parent_id", flat=True)
        related = {product_id, *family}
        related |= set(product_model.objects.filter(parent_id__in=related).values_list("pk", flat=True))
        tags |= {f"product:{pk}" for pk in related if pk}
    front_door_refresh_tags(tags)


def on_product_viewed(sender: Any, request: Any = None, **kwargs: Any) -> None:
    """Oscar's recently-viewed list is a cookie set on the product page: a page shared with every
    anonymous reader sets none (the door would refuse it), so those readers' visits are not listed."""
    if request is not None and front_door_shared(request):
        return
    receive_product_view(sender, request=request, **kwargs)
