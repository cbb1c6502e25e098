"""Where an order goes after payment, and the email that tells the customer each step.

The pipeline itself is Oscar's (OSCAR_ORDER_STATUS_PIPELINE in settings); staff move orders along it
in the dashboard. Each change is told to the customer once its transaction commits, so a change
rolled back sends nothing and a slow mail server never holds the order's row.
"""

import logging

from django.conf import settings
from django.urls import reverse
from oscar.core.loading import get_class, get_model

logger = logging.getLogger(__name__)

Order = get_model("order", "Order")
CommunicationEventType = get_model("communication", "CommunicationEventType")
OrderDispatcher = get_class("order.utils", "OrderDispatcher")

STATUS_CHANGED_EVENT_CODE = "ORDER_STATUS_CHANGED"

# What each step means for the customer; a status without a message sends no email.
STATUS_MESSAGES = {
    "Ready for collection": "Your order is ready: collect it at the cooperative's Saturday market stall.",
    "Collected": "You have collected your order. Thank you for buying from the cooperative.",
    "Dispatched": "Your order is on its way and should reach you within two working days.",
    "Cancelled": "Your order has been cancelled. If you have paid, your money will be refunded.",
    "Refunded": "Your payment has been refunded to the card you paid with. It can take a few days to show.",
}


def order_status_email_send(order_id: int, status: str) -> None:
    """Email the customer (or the guest address) that their order has reached `status`.

    Sent only if the order still has that status: a change quickly undone tells nobody the wrong thing.
    """
    order = Order.objects.get(pk=order_id)
    if order.status != status:
        return
    if order.is_anonymous:
        path = reverse("customer:anon-order", args=[order.number, order.verification_hash()])
    else:
        path = reverse("customer:order", args=[order.number])
    context = {
        "order": order,
        "status": status,
        "status_message": STATUS_MESSAGES[status],
        "status_url": f"{settings.SITE_URL}{path}",
    }
    # A row for the type, so Oscar records each email sent as a communication event on the order.
    CommunicationEventType.objects.get_or_create(
        code=STATUS_CHANGED_EVENT_CODE,
        defaults={"name": "Order status changed", "category": CommunicationEventType.ORDER_RELATED},
    )
    dispatcher = OrderDispatcher(logger=logger)
    messages = dispatcher.dispatcher.get_messages(STATUS_CHANGED_EVENT_CODE, context)
    dispatcher.dispatch_order_messages(order, messages, STATUS_CHANGED_EVENT_CODE)
