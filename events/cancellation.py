"""Writes for calling off an event or one date, and the refunds of the paid tickets it cancels.

The refunds themselves run after commit: the cancellation records what each seat is owed and a
durable refund row per seat (`events.refunds`), which the one runner works once this commits.
"""

from datetime import datetime
from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from schedule.models import Event, Occurrence

from durable.runner import advance_on_commit
from social.services import flow_start_once

from . import federation
from .calendars import event_changed, event_detail_ensure
from .models import BOOKING_OPEN, Booking, BookingGraph, BookingRefused, EventDetail, occurrence_log_key
from .notices import notice_queue
from .occurrences import occurrence_persisted
from .permissions import calendar_editable_by
from .refunds import refund_owed_record
from .selectors import bookings_held_for_event
from .waiting_list import WAITING_LIST_OPEN, WaitingListEntry, WaitingListGraph

CANCELLATION_BEHAVIOR = "event_cancellation"
OCCURRENCE_CANCELLATION_BEHAVIOR = "occurrence_cancellation"


@transaction.atomic
def event_cancel(*, event: Event, by_user) -> list[Booking]:
    """Call off the whole event: the site shows it cancelled and takes no more bookings, every holder of
    a ticket for a date still to come is told, and once this commits the fediverse gets a Delete.

    What follows the decision is the `event_cancellation` behavior, in the flow log: written and run in
    this transaction (so it commits with the cancellation, or neither does), its steps cancel the held
    bookings, owe each paid seat its refund, tell the holders and report the event to federation, each
    through a function below (SOCIAL_FLOW_ACTIONS). Returns the bookings cancelled. Paid tickets are
    refunded one by one by the durable runner once this commits (the email says how much).
    """
    if not calendar_editable_by(event.calendar, by_user):
        raise PermissionDenied("You do not organise this event.")
    detail = EventDetail.objects.select_for_update().filter(event=event).first() or event_detail_ensure(event)
    if detail.is_cancelled:
        raise BookingRefused("This event is already cancelled.")
    now = timezone.now()
    detail.cancelled_at = now
    detail.save(update_fields=["cancelled_at"])
    payload = {"event_id": event.pk, "title": event.title, "cancelled_at": now.isoformat()}
    flow_start_once(
        behavior=CANCELLATION_BEHAVIOR,
        event="cancelled",
        object_key=federation.event_object_key(event.pk),
        payload=payload,
    )
    return list(Booking.objects.filter(ticket_type__event=event, cancelled_at=now).order_by("pk"))


# --- the event_cancellation behavior's effects, each in its step's transaction ---------------------
def cancellation_bookings_call_off(event_id: int) -> dict:
    """Cancel every booking still held for a date to come, with what its seat is owed, and close the
    waiting list. Its flow runs once per event, and a booking moves only while it is open."""
    event = Event.objects.get(pk=event_id)
    now = EventDetail.objects.values_list("cancelled_at", flat=True).get(event_id=event_id)
    held = (
        bookings_held_for_event(event, now)
        .select_for_update(of=("self",))
        .select_related("ticket_type", "order_line__order")
    )
    bookings = [booking for booking in held if _booking_call_off(booking, now)]
    # Every move of the graph but this one is conditional; here the whole list closes at once, and the
    # lease is dropped so a runner mid-offer records nothing (its fenced writes find no row).
    closed = WaitingListEntry.objects.filter(ticket_type__event=event, state__in=WAITING_LIST_OPEN).update(
        state=WaitingListGraph.closed.name,
        state_changed_at=now,
        due_at=None,
        locked_until=None,
    )
    return {
        "cancelled": [booking.pk for booking in bookings],
        "paid": [booking.pk for booking in bookings if booking.refund_owed],
        "waiting_list_closed": closed,
    }


def cancellation_refunds_owe(booking_ids: list[int]) -> dict:
    """A durable refund row for each paid seat cancelled, worked by the one runner after commit."""
    bookings = Booking.objects.filter(pk__in=booking_ids).select_related("order_line")
    refunds = refund_owed_record(bookings)
    for refund in refunds:
        advance_on_commit(refund)
    return {"owed": [refund.pk for refund in refunds]}


def cancellation_holders_tell(event_id: int, booking_ids: list[int]) -> dict:
    """One email per holder, listing all their tickets: a durable notice each, mailed by the runner once
    the step has committed (events.notices)."""
    by_email: dict[str, list[int]] = {}
    for booking in Booking.objects.filter(pk__in=booking_ids).order_by("pk").only("pk", "email"):
        by_email.setdefault(booking.email, []).append(booking.pk)
    for held in by_email.values():
        notice_queue(event_id=event_id, booking_ids=held, whole_event=True)
    return {"told": len(by_email)}


def cancellation_federate(event_id: int) -> dict:
    """Report the event to federation, which sends its Delete once the step has committed."""
    federation.event_report(event_id)
    return {"reported": True}


# --- one date: the occurrence_cancellation behavior ------------------------------------------------
@transaction.atomic
def occurrence_cancel(*, event: Event, original_start: datetime) -> Occurrence:
    """Cancel one occurrence (feeds get an EXDATE); what follows is the `occurrence_cancellation`
    behavior, written and run in this transaction: that date's bookings cancelled (each paid seat owed
    its refund, sent by the one runner after commit), each holder told, the event reported for its
    Update. Asked again (a second click, two requests at once) it finds the date's one flow: nothing
    is cancelled, refunded or told twice."""
    _event_lock(event)
    occurrence = occurrence_persisted(event, original_start)
    if not occurrence.cancelled:
        occurrence.cancel()
    _occurrence_cancellation_start(event, occurrence)
    return occurrence


@transaction.atomic
def cancelled_dates_bookings_cancel(event: Event) -> int:
    """Have every cancelled date of ``event`` run its `occurrence_cancellation` flow; returns how many
    cancelled dates it has.

    For dates cancelled by django-scheduler's own views, which know nothing of bookings: a date whose
    flow already ran finds it (flow_start_once) and nothing happens twice.
    """
    _event_lock(event)
    dates = list(event.occurrence_set.filter(cancelled=True).order_by("original_start"))
    for occurrence in dates:
        _occurrence_cancellation_start(event, occurrence)
    return len(dates)


def _event_lock(event: Event) -> None:
    # Two requests cancelling a date of one event queue here: the second finds the date stored and
    # cancelled and its flow written, never a second Occurrence row or a second flow.
    Event.objects.select_for_update().filter(pk=event.pk).first()


def _occurrence_cancellation_start(event: Event, occurrence: Occurrence) -> None:
    detail = EventDetail.objects.filter(event=event).first()
    start = occurrence.original_start
    payload = {
        "event_id": event.pk,
        "title": f"{event.title}, {start:%Y-%m-%d %H:%M}",
        "original_start": start.isoformat(),
        "occurrence_ts": int(start.timestamp()),
        "occurrence_id": occurrence.pk,
        "date_cancelled": occurrence.cancelled,
        "event_cancelled": bool(detail and detail.is_cancelled),
    }
    flow_start_once(
        behavior=OCCURRENCE_CANCELLATION_BEHAVIOR,
        event="cancelled",
        # One flow per date, under the event's key and the date's timestamp (see the function).
        object_key=occurrence_log_key(event.pk, start),
        payload=payload,
    )


def cancellation_occurrence_bookings_call_off(event_id: int, original_start: str) -> dict:
    """Cancel every booking still held for this one date, with what its seat is owed, and close that
    date's waiting list; the other dates' bookings are not touched."""
    start = datetime.fromisoformat(original_start)
    now = timezone.now()
    held = (
        Booking.objects.filter(ticket_type__event_id=event_id, occurrence_start=start, state__in=BOOKING_OPEN)
        .select_for_update(of=("self",))
        .select_related("ticket_type", "order_line__order")
    )
    # Whoever was let in at the door attended: nothing to call off or refund (move_if_open says so).
    bookings = [booking for booking in held if _booking_call_off(booking, now)]
    closed = WaitingListEntry.objects.filter(
        ticket_type__event_id=event_id, occurrence_start=start, state__in=WAITING_LIST_OPEN
    ).update(state=WaitingListGraph.closed.name, state_changed_at=now, due_at=None, locked_until=None)
    return {
        "cancelled": [booking.pk for booking in bookings],
        "paid": [booking.pk for booking in bookings if booking.refund_owed],
        "waiting_list_closed": closed,
    }


def cancellation_occurrence_holders_tell(event_id: int, booking_ids: list[int]) -> dict:
    """One email per cancelled ticket: a durable notice each, mailed by the runner once the step has
    committed (events.notices)."""
    held = list(Booking.objects.filter(pk__in=booking_ids).order_by("pk").only("pk", "email"))
    for booking in held:
        notice_queue(event_id=event_id, booking_ids=[booking.pk], whole_event=False)
    return {"told": len(held)}


def cancellation_occurrence_federate(event_id: int) -> dict:
    """Stamp the event changed and report it: once the step commits the fediverse gets an Update whose
    next date skips the cancelled one (an event federates as one object, not one per date)."""
    event_changed(Event.objects.get(pk=event_id))
    return {"reported": True}


def _booking_call_off(booking: Booking, now: datetime) -> bool:
    """Cancel one open booking with what its seat is owed; False if the door admitted it first."""
    fields = {"cancelled_at": now, "refund_owed": ticket_refund_amount(booking)}
    return booking.move_if_open(BookingGraph.cancelled.name, now=now, fields=fields)


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
