"""Organisers: their events, the event form, ticket types, and cancelling or moving dates."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from schedule.models import Event

from .. import calendars, cancellation, occurrences, tickets
from ..forms import EventForm, MoveOccurrenceForm, TicketTypeForm
from ..links import event_public_url, occurrence_url
from ..permissions import organiser_calendars
from ..selectors import (
    bookings_confirmed_count,
    bookings_held_for_event,
    bookings_refund_failed,
    event_zone,
    occurrences_between,
)
from .common import back_to_occurrence, editable_event, from_timestamp


@login_required
def manage(request):
    own_calendars = organiser_calendars(request.user)
    if not own_calendars.exists():
        raise PermissionDenied
    events = Event.objects.filter(calendar__in=own_calendars).select_related("calendar", "detail", "rule")
    return render(
        request, "events/manage.html", {"calendars": own_calendars, "events": events.order_by("-start")[:100]}
    )


@login_required
def event_create(request):
    own_calendars = organiser_calendars(request.user)
    if not own_calendars.exists():
        raise PermissionDenied
    form = EventForm(request.POST or None, calendars=own_calendars)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        spec = calendars.EventSpec(
            title=data["title"],
            start=timezone.make_naive(data["start"]),
            end=timezone.make_naive(data["end"]),
            time_zone=data["time_zone"],
            all_day=data["all_day"],
            frequency=data["frequency"],
            repeat_until=data["repeat_until"],
            description=data["description"],
            location=data["location"],
            category=data["category"],
            published=data["published"],
        )
        try:
            event = calendars.event_create(calendar=data["calendar"], spec=spec, creator=request.user)
            if data["ticket_name"]:
                tickets.ticket_type_create(
                    event=event,
                    name=data["ticket_name"],
                    price=data["ticket_price"] or 0,
                    quota=data["ticket_quota"],
                )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"“{event.title}” created.")
            return redirect("events:manage_event", event.pk)
    return render(request, "events/event_form.html", {"form": form})


@login_required
def manage_event(request, event_id: int):
    event = editable_event(request, event_id)
    form = TicketTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        tickets.ticket_type_create(
            event=event,
            name=data["name"],
            price=data["price"],
            quota=data["quota"],
            sale_starts=data["sale_starts"],
            sale_ends=data["sale_ends"],
        )
        messages.success(request, "Ticket type added.")
        return redirect("events:manage_event", event.pk)
    now = timezone.now()
    upcoming = occurrences_between([event], now, now + dt.timedelta(days=120), include_cancelled=True)[:20]
    for occurrence in upcoming:
        occurrence.url = occurrence_url(occurrence)
        occurrence.booked = bookings_confirmed_count(event, occurrence.original_start)
    return render(
        request,
        "events/manage_event.html",
        {
            "event": event,
            "ticket_types": event.ticket_types.all(),
            "upcoming": upcoming,
            "form": form,
            "refunds_failed": bookings_refund_failed(event),
        },
    )


@login_required
@require_POST
def occurrence_cancel(request, event_id: int, timestamp: int):
    event = editable_event(request, event_id)
    cancellation.occurrence_cancel(event=event, original_start=from_timestamp(timestamp))
    messages.success(request, "That date is cancelled; its attendees have been told.")
    return redirect("events:manage_event", event.pk)


@login_required
def event_cancel(request, event_id: int):
    """Cancel a whole event: GET asks for confirmation (saying who will be told), POST does it."""
    event = editable_event(request, event_id)
    cancelled = bool(getattr(event, "detail", None) and event.detail.is_cancelled)
    if request.method == "POST" and not cancelled:
        bookings = cancellation.event_cancel(event=event, by_user=request.user)
        holders = len({booking.email for booking in bookings})
        told = f"{holders} ticket holder{'s' if holders != 1 else ''} told"
        messages.success(request, f"“{event.title}” is cancelled; {told}.")
        return redirect("events:manage_event", event.pk)
    if cancelled:
        messages.info(request, "This event is already cancelled.")
        return redirect("events:manage_event", event.pk)
    holders = bookings_held_for_event(event).values("email").distinct().count()
    return render(
        request,
        "events/event_cancel_confirm.html",
        {"event": event, "holders": holders, "page_url": event_public_url(event)},
    )


@login_required
@require_POST
def occurrence_move(request, event_id: int, timestamp: int):
    event = editable_event(request, event_id)
    form = MoveOccurrenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the new start date and time.")
        return back_to_occurrence(event_id, timestamp)
    new_start = timezone.make_naive(form.cleaned_data["new_start"]).replace(tzinfo=event_zone(event))
    occurrences.occurrence_move(event=event, original_start=from_timestamp(timestamp), new_start=new_start)
    messages.success(request, "That date is moved.")
    return redirect("events:manage_event", event.pk)
