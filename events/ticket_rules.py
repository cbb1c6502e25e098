"""The basket rule for paid tickets: a real, bookable date of the event, and no more than its quota.

Registered with commerce's line rules (events.apps), so the shop checks it whenever a ticket line is
added or changed, before the shopper is sent to SumUp, and again when the paid order is placed.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from oscar.core.loading import get_model

from commerce.line_rules import LineRefusal
from commerce.models import PaymentAttempt

from .bookings import occurrence_bookable
from .models import OCCURRENCE_OPTION_CODE, TicketType
from .selectors import places_taken

Line = get_model("basket", "Line")


OCCURRENCE_YEARS_AROUND = 10


def occurrence_parse(value: object) -> datetime | None:
    """The occurrence start a line option holds, or None unless it is an aware ISO date-time within
    OCCURRENCE_YEARS_AROUND years of now."""
    try:
        start = datetime.fromisoformat(str(value))
        if start.tzinfo is None:
            return None
        start.astimezone(UTC)  # raises OverflowError for a date past datetime's range in UTC
    except (TypeError, ValueError, OverflowError):
        return None
    # No ticket is sold further ahead (or back); django-scheduler overflows on dates near year 9999.
    if abs(start.year - timezone.now().year) > OCCURRENCE_YEARS_AROUND:
        return None
    return start


def places_held_in_checkout(
    ticket_type: TicketType, original_start: datetime, *, exclude_basket_id=None
) -> int:
    """Places in baskets whose shoppers are at SumUp now, or have paid and await their order: paid
    for, they become bookings (held until SumUp's answer moves the payment on, as its stock is)."""
    lines = (
        Line.objects.filter(
            product_id=ticket_type.product_id,
            basket__payment_attempts__state__in=PaymentAttempt.HOLDING_STATES,
        )
        .exclude(basket_id=exclude_basket_id)
        .distinct()
        .prefetch_related("attributes__option")
    )
    held = 0
    for line in lines:
        value = next(
            (a.value for a in line.attributes.all() if a.option.code == OCCURRENCE_OPTION_CODE), None
        )
        if occurrence_parse(value) == original_start:
            held += line.quantity
    return held


def places_in_other_spellings(ticket_type: TicketType, start: datetime, spelling: object, basket_id) -> int:
    """Places the same basket holds for this date under another spelling of it ("…+00:00", "…Z",
    another offset): Oscar keeps those as separate lines, each of which would pass the quota alone."""
    if basket_id is None:
        return 0
    lines = Line.objects.filter(basket_id=basket_id, product_id=ticket_type.product_id).prefetch_related(
        "attributes__option"
    )
    held = 0
    for line in lines:
        value = next(
            (a.value for a in line.attributes.all() if a.option.code == OCCURRENCE_OPTION_CODE), None
        )
        if value != spelling and occurrence_parse(value) == start:
            held += line.quantity
    return held


def ticket_line_refusal(product, options: dict, quantity: int, *, basket_id=None) -> LineRefusal | None:
    """Commerce's line rule: None for anything but a ticket, or a ticket the rules allow."""
    ticket_type = TicketType.objects.filter(product_id=product.pk).select_related("event").first()
    if ticket_type is None:
        return None
    start = occurrence_parse(options.get(OCCURRENCE_OPTION_CODE))
    if start is None:
        return LineRefusal("Choose one of this event's dates.", OCCURRENCE_OPTION_CODE)
    now = timezone.now()
    try:
        occurrence_bookable(ticket_type, start, now)
    except ValidationError as refusal:
        return LineRefusal(refusal.messages[0], OCCURRENCE_OPTION_CODE)
    free = (
        ticket_type.quota
        - places_taken(ticket_type, start, now=now)
        - places_held_in_checkout(ticket_type, start, exclude_basket_id=basket_id)
        - places_in_other_spellings(ticket_type, start, options.get(OCCURRENCE_OPTION_CODE), basket_id)
    )
    if quantity > free:
        return LineRefusal(f"Not enough places left: {max(free, 0)} for this date.")
    return None
