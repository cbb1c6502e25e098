"""Oscar's stock alerts, mailed after commit: "back in stock" once a stock change has committed, and
the confirmation of an alert asked for by address once the request that made it has.

Oscar mails both from inside the transaction that changes the row (a StockRecord post_save receiver,
the alert form's view under ATOMIC_REQUESTS): a rollback then leaves an email about a change that
never happened, and the mail server's wait holds the stock row's lock. Oscar's receiver is off
(OSCAR_EAGER_ALERTS = False); ours only queues the work for after commit.
"""

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from oscar.core.loading import get_class, get_model

logger = logging.getLogger(__name__)

AlertsDispatcher = get_class("customer.alerts.utils", "AlertsDispatcher")
Selector = get_class("partner.strategy", "Selector")
Product = get_model("catalogue", "Product")
ProductAlert = get_model("customer", "ProductAlert")


def _active_alerts_for(product_id: int):
    """Active alerts on the product or on its parent (an alert on a parent covers every variant)."""
    family = Product.objects.filter(Q(pk=product_id) | Q(children__pk=product_id))
    return ProductAlert.objects.filter(status=ProductAlert.ACTIVE, product__in=family)


# Whether a stock record had stock to sell when it was loaded (or last saved), kept on the instance so
# that the many saves that cannot put a product back on sale (a sale, a reservation, a change while
# sold out) cost no query. Reservations and their release (commerce.stock) and update_or_create (the
# importers, event tickets) load the row under its lock, so there it is what the database held; a
# row read without a lock (Oscar's dashboard form) is compared with that read, made a moment earlier
# in the same request.
_IN_STOCK_LOADED = "_back_in_stock_in_stock_loaded"
_MISSING = object()


def _in_stock(record) -> bool | None:
    """Net stock above zero, as Oscar's StockRequired sells it; None, unknown, when a field was deferred
    (reading it would be a query) or is an F() expression."""
    values = [vars(record).get(name, _MISSING) for name in ("num_in_stock", "num_allocated")]
    if any(value is _MISSING or hasattr(value, "resolve_expression") for value in values):
        return None
    in_stock, allocated = values
    return (in_stock or 0) - (allocated or 0) > 0


def on_stock_record_loaded(sender, instance, **kwargs) -> None:
    setattr(instance, _IN_STOCK_LOADED, _in_stock(instance))


def on_stock_record_saved(sender, instance, created: bool = False, raw: bool = False, **kwargs) -> None:
    """A stock record may have put its product back on sale: if anyone waits for it, check and mail
    them after commit.

    Only a new record (for a product that tracks no stock, having one is enough) or stock that went
    from none to some can; unknown counts as can, and the check runs as it did on every save.
    """
    before, after = getattr(instance, _IN_STOCK_LOADED, None), _in_stock(instance)
    setattr(instance, _IN_STOCK_LOADED, after)  # this instance's next save compares with this one
    if not created and before is not None and after is not None and (before or not after):
        return  # it had stock already, or has none now: nothing came back
    if raw or not instance.product_id or not _active_alerts_for(instance.product_id).exists():
        return
    from commerce import tasks

    product_id = instance.product_id
    transaction.on_commit(lambda: tasks.product_alerts_send.delay(product_id))


def product_alerts_send(product_id: int) -> int:
    """Mail everyone waiting for the product if it can be bought now; returns how many were mailed.

    Oscar's dispatch, with each alert closed (a conditional UPDATE) before its email goes: two stock
    changes committing together mail an alert once, and a refused address does not stop the others.
    """
    product = Product.objects.filter(pk=product_id).first()
    stock = list(product.stockrecords.all()) if product else []
    if not stock:
        return 0
    alerts = list(_active_alerts_for(product_id).select_related("user"))
    counts = [record.num_in_stock for record in stock if record.num_in_stock is not None]
    hurry = bool(counts) and len(alerts) > max(counts)
    alerts_dispatcher, selector = AlertsDispatcher(), Selector()
    dispatcher = alerts_dispatcher.dispatcher
    mailed = 0
    for alert in alerts:
        if not selector.strategy(user=alert.user).fetch_for_product(product).availability.is_available_to_buy:
            continue
        claimed = ProductAlert.objects.filter(pk=alert.pk, status=ProductAlert.ACTIVE).update(
            status=ProductAlert.CLOSED, date_closed=timezone.now()
        )
        if not claimed:
            continue  # another worker's
        context = alerts_dispatcher.get_extra_context_for_alert(alert, hurry)
        messages = dispatcher.get_messages(alerts_dispatcher.PRODUCT_ALERT_EVENT_CODE, context)
        try:
            if alert.user:
                alerts_dispatcher.notify_user_about_product_alert(alert.user, context)
                if messages and messages["body"]:
                    dispatcher.dispatch_user_messages(alert.user, messages)
            elif messages and messages["body"]:
                dispatcher.dispatch_direct_messages(alert.get_email_address(), messages)
        except OSError:  # smtplib's errors: this alert's email is lost, as with Oscar's; not the rest
            logger.warning("back-in-stock email for alert %s refused", alert.pk, exc_info=True)
            continue
        mailed += 1
    return mailed


def alert_confirmation_send(alert_id: int) -> None:
    """The "confirm your alert" email to an address that asked, unless it was confirmed or dropped since."""
    alert = ProductAlert.objects.filter(pk=alert_id, user=None, status=ProductAlert.UNCONFIRMED).first()
    if alert is not None:
        AlertsDispatcher().send_product_alert_confirmation_email_for_user(alert)
