"""Organisers: their events, the event form, ticket types, and cancelling or moving dates."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from schedule.models import Event

from .. import calendars, cancellation, occurrences, recurrence, tickets
from ..forms import EventForm, MoveOccurrenceForm, RecurrencePreviewForm, TicketTypeForm
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


def _calendar_preselected(own_calendars, slug: str | None):
    """The calendar ?calendar=<slug> names among the organiser's, else their only one, else none."""
    if slug:
        named = own_calendars.filter(slug=slug).first()
        if named is not None:
            return named
    first_two = list(own_calendars[:2])
    return first_two[0] if len(first_two) == 1 else None


def _dates_preview(data) -> dict | None:
    """The recurrence in words and its next dates for the form's values, or None while they make no date."""
    form = RecurrencePreviewForm(data)
    if not form.is_valid():
        return None
    values = form.cleaned_data
    return recurrence.preview(
        values["frequency"],
        timezone.make_naive(values["start"]),
        time_zone=values["time_zone"],
        until=values["repeat_until"],
    )


@login_required
def event_create(request):
    own_calendars = organiser_calendars(request.user)
    if not own_calendars.exists():
        raise PermissionDenied
    if request.method == "POST" and "preview" in request.POST:
        # "Preview dates" (the no-script path of the live preview): the form again, as typed, with
        # the dates it would make; nothing is created and no "required" error is shown yet.
        typed = request.POST.dict()
        # An unticked box is absent from a POST: without this it would come back ticked by default.
        typed.update({name: name in request.POST for name in ("all_day", "published")})
        form = EventForm(initial=typed, calendars=own_calendars)
        return render(
            request, "events/event_form.html", {"form": form, "preview": _dates_preview(request.POST)}
        )
    initial = {"calendar": _calendar_preselected(own_calendars, request.GET.get("calendar"))}
    form = EventForm(request.POST or None, initial=initial, calendars=own_calendars)
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
    return render(request, "events/event_form.html", {"form": form, "preview": None})


@login_required
@require_safe
def recurrence_preview(request):
    """The live preview's JSON (static/js/event-form.js): the rule in words and the next dates."""
    if not organiser_calendars(request.user).exists():
        raise PermissionDenied
    preview = _dates_preview(request.GET)
    if preview is None:
        return HttpResponseBadRequest("start (YYYY-MM-DDTHH:MM) is required", content_type="text/plain")
    return JsonResponse(preview)


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
