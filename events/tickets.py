"""Writes for ticket types and paid tickets: the Oscar product a ticket sells as, the basket line,
and the tickets a placed order issues (their email is the runner's: events.models.BookingGraph)."""

import logging
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from schedule.models import Event

from durable.runner import advance_on_commit

from .calendars import event_changed
from .models import OCCURRENCE_OPTION_CODE, TICKET_PRODUCT_CLASS, Booking, BookingRefused, TicketType
from .reminders import reminder_schedule
from .selectors import places_taken

logger = logging.getLogger(__name__)


@transaction.atomic
def ticket_type_create(
    *,
    event: Event,
    name: str,
    quota: int,
    price: Decimal = Decimal("0"),
    occurrence_start: datetime | None = None,
    sale_starts: datetime | None = None,
    sale_ends: datetime | None = None,
) -> TicketType:
    ticket_type = TicketType.objects.create(
        event=event,
        name=name,
        quota=quota,
        price=price,
        occurrence_start=occurrence_start,
        sale_starts=sale_starts,
        sale_ends=sale_ends,
    )
    if not ticket_type.is_free:
        ticket_type_sync_product(ticket_type)
    # Capacity and the join mode are part of the federated object.
    event_changed(event)
    return ticket_type


def _ticket_catalogue():
    from oscar.apps.catalogue.models import Option, ProductClass
    from oscar.apps.partner.models import Partner

    product_class, _ = ProductClass.objects.get_or_create(
        name=TICKET_PRODUCT_CLASS,
        defaults={"slug": "ticket", "requires_shipping": False, "track_stock": False},
    )
    option, _ = Option.objects.get_or_create(
        code=OCCURRENCE_OPTION_CODE,
        defaults={"name": "Occurrence", "type": Option.TEXT, "required": True},
    )
    product_class.options.add(option)
    partner, _ = Partner.objects.get_or_create(code="events", defaults={"name": "Events"})
    return product_class, option, partner


def ticket_type_sync_product(ticket_type: TicketType) -> None:
    """Keep the Oscar product (class "Ticket", no shipping, no stock tracking) a paid ticket type sells as."""
    from oscar.apps.catalogue.models import Product
    from oscar.apps.partner.models import StockRecord

    product_class, _option, partner = _ticket_catalogue()
    title = f"{ticket_type.event.title} — {ticket_type.name}"
    product = ticket_type.product
    if product is None:
        product = Product.objects.create(
            title=title, product_class=product_class, structure=Product.STANDALONE, is_public=False
        )
        ticket_type.product = product
        ticket_type.save(update_fields=["product"])
    elif product.title != title:
        product.title = title
        product.save(update_fields=["title"])
    StockRecord.objects.update_or_create(
        product=product,
        partner=partner,
        defaults={
            "partner_sku": f"ticket-{ticket_type.pk}",
            "price": ticket_type.price,
            "price_currency": settings.OSCAR_DEFAULT_CURRENCY,
        },
    )


def basket_add_ticket(*, basket, ticket_type: TicketType, original_start: datetime, quantity: int = 1):
    """Put a paid ticket for one occurrence in an Oscar basket; the occurrence rides as a line option.

    The quota counts what the basket already holds for that date, as the shop's own forms do.
    """
    from commerce.line_rules import line_refusal

    if ticket_type.is_free or ticket_type.product is None:
        raise BookingRefused("This ticket is free: book it directly.")
    _product_class, option, _partner = _ticket_catalogue()
    product = ticket_type.product
    options = [{"option": option, "value": original_start.isoformat()}]
    stockrecord = basket.strategy.fetch_for_product(product).stockrecord
    already = basket.line_quantity(product, stockrecord, options)
    refusal = line_refusal(
        product,
        {OCCURRENCE_OPTION_CODE: original_start.isoformat()},
        already + quantity,
        basket_id=basket.id,
    )
    if refusal is not None:
        raise BookingRefused(refusal.message)
    line, _created = basket.add_product(product, quantity, options=options)
    return line


@transaction.atomic
def tickets_issue_for_order(order) -> list[Booking]:
    """Issue one ticket per unit of every ticket line of a placed order (idempotent per line and seat)."""
    issued = []
    for line in order.lines.select_related("product").prefetch_related("attributes__option"):
        ticket_type = (
            TicketType.objects.filter(product_id=line.product_id).first() if line.product_id else None
        )
        if ticket_type is None:
            continue
        value = next(
            (a.value for a in line.attributes.all() if a.option.code == OCCURRENCE_OPTION_CODE), None
        )
        if not value:
            logger.error("order %s line %s: ticket without an occurrence", order.number, line.pk)
            continue
        try:
            original_start = datetime.fromisoformat(str(value))
        except ValueError as exc:
            # Checked before payment and at placement; an order placed some other way fails loudly.
            raise ValueError(f"order {order.number}: ticket line with no valid date {value!r}") from exc
        TicketType.objects.select_for_update().get(pk=ticket_type.pk)
        email = order.user.email if order.user_id else order.guest_email
        for seat in range(line.quantity):
            booking, created = Booking.objects.get_or_create(
                order_line=line,
                order_line_seat=seat,
                defaults={
                    "ticket_type": ticket_type,
                    "occurrence_start": original_start,
                    "user": order.user,
                    "email": email,
                },
            )
            if created:
                reminder_schedule(booking)
                issued.append(booking)
        if places_taken(ticket_type, original_start) > ticket_type.quota:
            # Checked before payment and again at placement (commerce's line rules); only an order
            # placed some other way (the dashboard) can get here, and its money is not refused.
            logger.warning(
                "ticket type %s oversold for %s by order %s", ticket_type.pk, original_start, order.number
            )
    for booking in issued:
        # Emailed by the runner's `issuing` handler once this commits, each ticket under its own lease.
        advance_on_commit(booking)
    return issued
