"""Writes: calendars, events and exceptions, ticket types, bookings, waiting lists, check-in, paid tickets."""

import logging
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from schedule.models import Calendar, Event, Occurrence, Rule

from . import federation
from .models import Booking, CalendarOwnership, EventCategory, EventDetail, TicketType, WaitingListEntry
from .permissions import calendar_editable_by
from .reminders import reminder_schedule, reminders_reschedule
from .selectors import bookings_held_for_event, occurrence_get, places_taken

logger = logging.getLogger(__name__)

FREQUENCIES = {"DAILY": "Daily", "WEEKLY": "Weekly", "MONTHLY": "Monthly", "YEARLY": "Yearly"}
TICKET_PRODUCT_CLASS = "Ticket"
OCCURRENCE_OPTION_CODE = "occurrence"


class BookingRefused(ValidationError):
    """A booking, waiting-list or check-in request the rules do not allow; the message says why."""


# --- calendars and events ---------------------------------------------------------------------------


def calendar_create(*, name: str, owners=(), owner_groups=(), venue: str = "", is_public=True) -> Calendar:
    calendar = Calendar.objects.create(name=name, slug=_unique_calendar_slug(name))
    ownership = CalendarOwnership.objects.create(calendar=calendar, venue=venue, is_public=is_public)
    ownership.owners.set(owners)
    ownership.owner_groups.set(owner_groups)
    return calendar


def _unique_calendar_slug(name: str) -> str:
    base = slugify(name)[:40] or "calendar"
    slug, n = base, 1
    while Calendar.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def rule_for(frequency: str) -> Rule | None:
    """The shared scheduler Rule for a plain frequency ('' for a one-off event)."""
    if not frequency:
        return None
    if frequency not in FREQUENCIES:
        raise ValidationError(f"Unknown frequency {frequency!r}")
    rule = Rule.objects.filter(frequency=frequency, params="").order_by("pk").first()
    return rule or Rule.objects.create(
        name=FREQUENCIES[frequency],
        frequency=frequency,
        description=f"{FREQUENCIES[frequency]}, no exceptions",
    )


@dataclass(frozen=True)
class EventSpec:
    """What an organiser says about an event; times are wall-clock in `time_zone`."""

    title: str
    start: datetime  # naive local, or a date's midnight for all-day events
    end: datetime
    time_zone: str = settings.TIME_ZONE
    all_day: bool = False
    frequency: str = ""
    repeat_until: date | None = None
    description: str = ""
    location: str = ""
    category: EventCategory | None = None
    published: bool = True


def _aware(spec: EventSpec) -> tuple[datetime, datetime, datetime | None]:
    zone = ZoneInfo(spec.time_zone)
    start, end = spec.start, spec.end
    if spec.all_day:
        start = datetime.combine(start.date(), time.min)
        end = datetime.combine(max(end.date(), start.date()) + timedelta(days=1), time.min)
    start, end = start.replace(tzinfo=zone), end.replace(tzinfo=zone)
    if end <= start:
        raise ValidationError("An event must end after it starts.")
    until = None
    if spec.frequency and spec.repeat_until:
        until = datetime.combine(spec.repeat_until, time.max).replace(tzinfo=zone)
    return start, end, until


@transaction.atomic
def event_create(*, calendar: Calendar, spec: EventSpec, creator=None) -> Event:
    start, end, until = _aware(spec)
    event = Event.objects.create(
        calendar=calendar,
        title=spec.title,
        description=spec.description,
        start=start,
        end=end,
        rule=rule_for(spec.frequency),
        end_recurring_period=until,
        creator=creator,
    )
    EventDetail.objects.create(
        event=event,
        published=spec.published,
        all_day=spec.all_day,
        time_zone=spec.time_zone,
        location=spec.location,
        category=spec.category,
    )
    return event


def event_detail_ensure(event: Event) -> EventDetail:
    """Events made through django-scheduler's own forms get their details (unpublished) on first use."""
    detail, _ = EventDetail.objects.get_or_create(event=event)
    return detail


def _occurrence_persisted(event: Event, original_start: datetime) -> Occurrence:
    occurrence = occurrence_get(event, original_start)
    if occurrence is None:
        raise ValidationError("No such occurrence.")
    if occurrence.pk is None:
        occurrence.save()
    return occurrence


def event_changed(event: Event) -> None:
    """Something the event's federated object shows changed outside a page publish (dates, tickets):
    stamp it, and once this commits the fediverse gets an Update as for a re-publish."""
    EventDetail.objects.filter(event=event).update(changed_at=timezone.now())
    federation.event_changed(event)


@transaction.atomic
def event_shift(*, event: Event, delta: timedelta, resize: bool = False) -> Event:
    """Move the whole series by `delta` (or, resizing, only its end); stored occurrences keep their
    identity by moving their original dates with it."""
    from django.db.models import F

    shift_start = timedelta(0) if resize else delta
    event.start += shift_start
    event.end += delta
    event.save()
    event.occurrence_set.update(
        original_start=F("original_start") + shift_start, original_end=F("original_end") + delta
    )
    event_changed(event)
    return event


@transaction.atomic
def occurrence_shift(*, occurrence: Occurrence, delta: timedelta, resize: bool = False) -> Occurrence:
    """Move (or, resizing, lengthen) one stored occurrence by `delta`."""
    occurrence.end += delta
    if not resize:
        occurrence.start += delta
    occurrence.save()
    event_changed(occurrence.event)
    return occurrence


@transaction.atomic
def event_cancel(*, event: Event, by_user) -> list[Booking]:
    """Call off the whole event: the site shows it cancelled and takes no more bookings, every holder of
    a ticket for a date still to come is told, and once this commits the fediverse gets a Delete.

    Returns the bookings cancelled. Paid tickets are cancelled too and, once this commits, refunded one
    by one by a Celery task (the email says how much).
    """
    if not calendar_editable_by(event.calendar, by_user):
        raise PermissionDenied("You do not organise this event.")
    detail = EventDetail.objects.select_for_update().filter(event=event).first() or event_detail_ensure(event)
    if detail.is_cancelled:
        raise BookingRefused("This event is already cancelled.")
    now = timezone.now()
    detail.cancelled_at = now
    detail.save(update_fields=["cancelled_at"])
    bookings = list(
        bookings_held_for_event(event, now)
        .select_for_update(of=("self",))
        .select_related("ticket_type", "order_line__order")
    )
    for booking in bookings:
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = now
        booking.refund_owed = ticket_refund_amount(booking)
    Booking.objects.bulk_update(bookings, ["status", "cancelled_at", "refund_owed"])
    _refunds_enqueue(bookings)
    WaitingListEntry.objects.filter(
        ticket_type__event=event,
        status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED],
    ).update(status=WaitingListEntry.Status.EXPIRED)
    # One email per holder, listing all their tickets, and only once the cancellation has committed.
    by_email: dict[str, list[Booking]] = {}
    for booking in bookings:
        by_email.setdefault(booking.email, []).append(booking)
    for email, held in by_email.items():
        context = {"bookings": held, "event": event, "paid": any(b.refund_owed for b in held)}
        transaction.on_commit(
            lambda email=email, context=context: _mail(email, "events/email/event_cancelled.txt", context)
        )
    federation.event_cancelled(event)
    return bookings


@transaction.atomic
def occurrence_cancel(*, event: Event, original_start: datetime) -> Occurrence:
    """Cancel one occurrence: feeds get an EXDATE, its bookings are cancelled and attendees told."""
    occurrence = _occurrence_persisted(event, original_start)
    occurrence.cancel()
    _bookings_cancel_on_dates(event, [original_start])
    event_changed(event)
    return occurrence


def cancelled_dates_bookings_cancel(event: Event) -> int:
    """Cancel the confirmed bookings of every cancelled date of ``event`` and tell their holders.

    For dates cancelled by django-scheduler's own views, which know nothing of bookings; a booking
    already cancelled is left alone, so running it again changes nothing.
    """
    cancelled_starts = event.occurrence_set.filter(cancelled=True).values_list("original_start", flat=True)
    return _bookings_cancel_on_dates(event, cancelled_starts)


def _bookings_cancel_on_dates(event: Event, original_starts) -> int:
    bookings = Booking.objects.filter(
        ticket_type__event=event,
        occurrence_start__in=original_starts,
        status=Booking.Status.CONFIRMED,
        checked_in_at__isnull=True,  # whoever was let in attended: nothing to call off or refund
    ).select_related("ticket_type", "order_line__order")
    for booking in bookings:
        booking.status = Booking.Status.CANCELLED
        booking.cancelled_at = timezone.now()
        booking.refund_owed = ticket_refund_amount(booking)
        booking.save(update_fields=["status", "cancelled_at", "refund_owed"])
        _mail_on_commit(
            booking.email, "events/email/occurrence_cancelled.txt", {"booking": booking, "event": event}
        )
    _refunds_enqueue(bookings)
    return len(bookings)


# --- refunds of paid tickets the organiser called off -----------------------------------------------


def ticket_refund_amount(booking: Booking) -> Decimal | None:
    """What one seat of a paid ticket cost (tax included), or None for a ticket nobody paid for.

    A discounted line refunds its share of what was actually paid, never the undiscounted price.
    """
    line = booking.order_line
    if line is None or booking.ticket_type.is_free:
        return None
    paid_per_seat = (line.line_price_incl_tax / line.quantity).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
    if line.unit_price_incl_tax is None:
        return paid_per_seat
    return min(line.unit_price_incl_tax, paid_per_seat)


def _refunds_enqueue(bookings) -> None:
    # Never SumUp inside the organiser's request: the refund runs after the cancellation commits.
    from . import tasks

    for booking in bookings:
        if booking.refund_owed:
            transaction.on_commit(lambda pk=booking.pk: tasks.refund_cancelled_ticket.delay(pk))


# How long a refund owed may wait for its task before the beat sweep queues it again: longer than a
# task normally takes, so the sweep only catches tasks that never reached the queue or were lost.
REFUND_SWEEP_GRACE = timedelta(minutes=15)


def refunds_owed_resume(now: datetime | None = None) -> list[int]:
    """Queue again the refunds owed that neither succeeded nor gave up (a lost task, a dead worker);
    booking_refund's row lock makes a duplicate harmless."""
    cutoff = (now or timezone.now()) - REFUND_SWEEP_GRACE
    owed = list(
        Booking.objects.filter(
            refund_owed__isnull=False,
            refunded_at__isnull=True,
            refund_failed_at__isnull=True,
            cancelled_at__lt=cutoff,
        ).values_list("pk", flat=True)
    )
    from . import tasks

    for booking_id in owed:
        tasks.refund_cancelled_ticket.delay(booking_id)
    return owed


def booking_refund(booking_id: int) -> Decimal | None:
    """Refund a cancelled paid ticket's seat through SumUp, once; returns the amount, None if skipped.

    No transaction or lock is held while SumUp answers: the refund is recorded under a key of its
    own (the ticket's code) first, so a duplicated or retried task sends it at most once, and the
    booking is marked refunded only once SumUp has confirmed. SumUp failures raise (the task retries).
    """
    from commerce.refunds import order_refund

    booking = Booking.objects.select_related("order_line__order").get(pk=booking_id)
    amount = booking.refund_owed
    if booking.refunded_at is not None or not amount or amount <= 0:
        return None
    refund = order_refund(
        booking.order_line.order, amount, key=f"ticket-{booking.code}", reference=f"ticket {booking.code}"
    )
    if refund.state != refund.State.SENT:
        return None  # another worker is sending it and will mark the booking
    marked = Booking.objects.filter(pk=booking.pk, refunded_at__isnull=True).update(
        refunded_at=timezone.now(), refund_amount=refund.amount, refund_failed_at=None, refund_error=""
    )
    return refund.amount if marked else None


def booking_refund_failed(booking_id: int, error: str) -> None:
    """The automatic refund gave up: flag the booking so staff see it and refund from the order;
    its recorded refund is given up too, so no sweep sends it behind staff's back."""
    from commerce.models import PaymentRefund
    from commerce.refunds import refund_give_up

    code = Booking.objects.filter(pk=booking_id).values_list("code", flat=True).first()
    refund = PaymentRefund.objects.filter(key=f"ticket-{code}").first()
    if refund is not None:
        refund_give_up(refund.pk, error)
    Booking.objects.filter(pk=booking_id, refunded_at__isnull=True).update(
        refund_failed_at=timezone.now(), refund_error=error[:255]
    )


@transaction.atomic
def occurrence_move(*, event: Event, original_start: datetime, new_start: datetime) -> Occurrence:
    """Move one occurrence (keeping its length); feeds carry it as a RECURRENCE-ID override."""
    occurrence = _occurrence_persisted(event, original_start)
    occurrence.move(new_start, new_start + (occurrence.end - occurrence.start))
    reminders_reschedule(event, original_start)
    event_changed(event)
    return occurrence


# --- ticket types -----------------------------------------------------------------------------------


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


# --- free bookings and the waiting list -------------------------------------------------------------


def occurrence_bookable(ticket_type: TicketType, original_start: datetime, now: datetime) -> Occurrence:
    if EventDetail.objects.filter(event_id=ticket_type.event_id, cancelled_at__isnull=False).exists():
        raise BookingRefused("This event is cancelled.")
    if ticket_type.occurrence_start and ticket_type.occurrence_start != original_start:
        raise BookingRefused("This ticket type is for another date.")
    if not ticket_type.on_sale(now):
        raise BookingRefused("Tickets of this type are not on sale now.")
    occurrence = occurrence_get(ticket_type.event, original_start)
    if occurrence is None or occurrence.cancelled:
        raise BookingRefused("This date is not on (any more).")
    if occurrence.start <= now:
        raise BookingRefused("This date has already started.")
    return occurrence


@transaction.atomic
def booking_create_free(*, ticket_type: TicketType, original_start: datetime, user) -> Booking:
    """Book one free place; the ticket type row is locked so concurrent bookings cannot exceed the quota."""
    now = timezone.now()
    locked = TicketType.objects.select_for_update().get(pk=ticket_type.pk)
    if not locked.is_free:
        raise BookingRefused("This ticket is paid: add it to your basket instead.")
    occurrence_bookable(locked, original_start, now)
    if Booking.objects.filter(
        ticket_type=locked, occurrence_start=original_start, user=user, status=Booking.Status.CONFIRMED
    ).exists():
        raise BookingRefused("You already have a place.")
    offered = WaitingListEntry.objects.filter(
        ticket_type=locked,
        occurrence_start=original_start,
        user=user,
        status=WaitingListEntry.Status.OFFERED,
        offer_expires_at__gt=now,
    ).first()
    if offered:
        # Their held place counts as taken; taking it turns the hold into the booking.
        offered.status = WaitingListEntry.Status.ACCEPTED
        offered.save(update_fields=["status"])
    elif places_taken(locked, original_start, now=now) >= locked.quota:
        raise BookingRefused("Sold out: join the waiting list to be offered a place that frees up.")
    booking = Booking.objects.create(
        ticket_type=locked, occurrence_start=original_start, user=user, email=user.email
    )
    reminder_schedule(booking)
    transaction.on_commit(lambda: booking_send_ticket(booking))
    return booking


@transaction.atomic
def booking_cancel(*, booking: Booking, user) -> Booking:
    """The attendee (or an organiser of the calendar) cancels; the freed place goes to the waiting list."""
    booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("ticket_type__event")
        .get(pk=booking.pk)
    )
    if booking.user_id != user.pk and not calendar_editable_by(booking.ticket_type.event.calendar, user):
        raise PermissionDenied("Not your booking.")
    if booking.status == Booking.Status.CANCELLED:
        raise BookingRefused("This booking is already cancelled.")
    if booking.checked_in_at:
        raise BookingRefused("A ticket that has been checked in cannot be cancelled.")
    booking.status = Booking.Status.CANCELLED
    booking.cancelled_at = timezone.now()
    booking.save(update_fields=["status", "cancelled_at"])
    waiting_list_offer_next(ticket_type=booking.ticket_type, original_start=booking.occurrence_start)
    return booking


@transaction.atomic
def waiting_list_join(*, ticket_type: TicketType, original_start: datetime, user) -> WaitingListEntry:
    now = timezone.now()
    locked = TicketType.objects.select_for_update().get(pk=ticket_type.pk)
    occurrence_bookable(locked, original_start, now)
    if places_taken(locked, original_start, now=now) < locked.quota:
        raise BookingRefused("There are places left: book one directly.")
    entry, _ = WaitingListEntry.objects.get_or_create(
        ticket_type=locked,
        occurrence_start=original_start,
        user=user,
        status__in=[WaitingListEntry.Status.WAITING, WaitingListEntry.Status.OFFERED],
        defaults={"status": WaitingListEntry.Status.WAITING},
    )
    return entry


def waiting_list_offer_next(*, ticket_type: TicketType, original_start: datetime) -> list[WaitingListEntry]:
    """Offer each free place to the longest waiting person, for EVENTS_WAITING_OFFER_HOURS."""
    now = timezone.now()
    free = ticket_type.quota - places_taken(ticket_type, original_start, now=now)
    if free <= 0:
        return []
    entries = list(
        WaitingListEntry.objects.select_for_update(of=("self",))
        .filter(
            ticket_type=ticket_type, occurrence_start=original_start, status=WaitingListEntry.Status.WAITING
        )
        .select_related("user")[:free]
    )
    hours = getattr(settings, "EVENTS_WAITING_OFFER_HOURS", 24)
    for entry in entries:
        entry.status = WaitingListEntry.Status.OFFERED
        entry.offer_expires_at = now + timedelta(hours=hours)
        entry.save(update_fields=["status", "offer_expires_at"])
        _mail_on_commit(
            entry.user.email, "events/email/place_offered.txt", {"entry": entry, "event": ticket_type.event}
        )
    return entries


@transaction.atomic
def waiting_list_expire_offers(now: datetime | None = None) -> int:
    """Expire unanswered offers and pass their places on to the next in line."""
    now = now or timezone.now()
    stale = list(
        WaitingListEntry.objects.select_for_update(of=("self",))
        .filter(status=WaitingListEntry.Status.OFFERED, offer_expires_at__lte=now)
        .select_related("ticket_type")
    )
    for entry in stale:
        entry.status = WaitingListEntry.Status.EXPIRED
        entry.save(update_fields=["status"])
    for ticket_type, original_start in {(e.ticket_type, e.occurrence_start) for e in stale}:
        waiting_list_offer_next(ticket_type=ticket_type, original_start=original_start)
    return len(stale)


# --- check-in ---------------------------------------------------------------------------------------


def booking_check_in(*, code: str, by_user) -> Booking:
    """Admit a ticket once: a second check-in of the same code is refused, even when two doors race."""
    code = code.strip().upper()
    booking = Booking.objects.select_related("ticket_type__event__calendar").filter(code=code).first()
    if booking is None:
        raise BookingRefused("Unknown ticket code.")
    if not calendar_editable_by(booking.ticket_type.event.calendar, by_user):
        raise PermissionDenied("You do not organise this event.")
    if booking.status != Booking.Status.CONFIRMED:
        raise BookingRefused("This ticket was cancelled.")
    # A conditional UPDATE is the arbiter: of two simultaneous scans only one changes the row.
    admitted = Booking.objects.filter(pk=booking.pk, checked_in_at__isnull=True).update(
        checked_in_at=timezone.now(), checked_in_by=by_user
    )
    booking.refresh_from_db()
    if not admitted:
        local = timezone.localtime(booking.checked_in_at)
        raise BookingRefused(f"Already checked in at {local:%H:%M on %d %b %Y}.")
    return booking


# --- paid tickets through Oscar ---------------------------------------------------------------------


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
        transaction.on_commit(lambda booking=booking: booking_send_ticket(booking))
    return issued


# --- mail -------------------------------------------------------------------------------------------


def booking_send_ticket(booking: Booking) -> None:
    """Email the ticket with its code and the QR code as a PNG attachment."""
    import io

    import segno

    png = io.BytesIO()
    segno.make(booking.code, error="m").save(png, kind="png", scale=6)
    message = _message(
        booking.email,
        "events/email/ticket.txt",
        {
            "booking": booking,
            "event": booking.ticket_type.event,
            "url": settings.SITE_URL + reverse("events:my_tickets"),
        },
    )
    message.attach(f"ticket-{booking.code}.png", png.getvalue(), "image/png")
    message.send()


def _message(to: str, template: str, context: dict) -> EmailMessage:
    body = render_to_string(
        template, {**context, "SITE_URL": settings.SITE_URL, "SITE_NAME": settings.SITE_NAME}
    )
    subject, _, text = body.partition("\n")
    return EmailMessage(subject.strip(), text.strip() + "\n", to=[to])


def _mail(to: str, template: str, context: dict) -> None:
    _message(to, template, context).send()


def _mail_on_commit(to: str, template: str, context: dict) -> None:
    """Mail once the caller's transaction commits: a rollback must not leave an email behind."""
    transaction.on_commit(lambda: _mail(to, template, context), robust=True)


def bookings_for_occurrence(event: Event, original_start: datetime):
    return Booking.objects.filter(ticket_type__event=event, occurrence_start=original_start).filter(
        ~Q(status=Booking.Status.CANCELLED)
    )
