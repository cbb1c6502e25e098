"""The public calendar: the month of events and one date of an event with its tickets."""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_safe

from ..display import month_from_param, month_grid
from ..federation import event_interest_count
from ..forms import MoveOccurrenceForm, TicketTypeForm
from ..links import event_public_url
from ..permissions import calendar_editable_by, organiser_calendars
from ..selectors import (
    bookings_of_user_for,
    calendars_public,
    event_zone,
    events_listed_to,
    occurrence_get,
    places_taken,
    ticket_types_for,
)
from .common import from_timestamp, visible_event


@require_safe
def home(request):
    """/events/: a month of the public calendars' events, all of them or one calendar's."""
    calendars = list(calendars_public())
    slug = request.GET.get("calendar")
    calendar = next((c for c in calendars if c.slug == slug), None)
    if slug and calendar is None:
        raise Http404("No such calendar")
    month = month_from_param(request.GET.get("month"), timezone.localdate())
    context = {
        "grid": month_grid(events_listed_to(request.user, calendar), month),
        "calendars": calendars,
        "calendar": calendar,
        "can_manage": request.user.is_authenticated and organiser_calendars(request.user).exists(),
    }
    return render(request, "events/home.html", context)


@require_safe
def occurrence_detail(request, event_id: int, timestamp: int):
    event = visible_event(request, event_id)
    occurrence = occurrence_get(event, from_timestamp(timestamp))
    if occurrence is None:
        raise Http404("No such date")
    now = timezone.now()
    ticket_types = ticket_types_for(event, occurrence.original_start)
    for ticket_type in ticket_types:
        ticket_type.left = max(
            ticket_type.quota - places_taken(ticket_type, occurrence.original_start, now=now), 0
        )
        if ticket_type.product_id:
            # What the basket will charge: the shop's pricing strategy adds VAT where it applies.
            ticket_type.shop_price = request.strategy.fetch_for_product(ticket_type.product).price
    my_bookings = bookings_of_user_for(request.user, event, occurrence.original_start)
    return render(
        request,
        "events/occurrence.html",
        {
            "event": event,
            "occurrence": occurrence,
            "local_start": occurrence.start.astimezone(event_zone(event)),
            "local_end": occurrence.end.astimezone(event_zone(event)),
            "original_local_start": occurrence.original_start.astimezone(event_zone(event)),
            "ticket_types": ticket_types,
            "my_bookings": my_bookings,
            "can_edit": calendar_editable_by(event.calendar, request.user),
            "timestamp": timestamp,
            "move_form": MoveOccurrenceForm(),
            "ticket_form": TicketTypeForm(),
            "page_url": event_public_url(event),
            "fediverse_interested": event_interest_count(event.pk, page=getattr(event, "page", None)),
            "in_past": occurrence.start <= now,
            "event_cancelled": bool(getattr(event, "detail", None) and event.detail.is_cancelled),
        },
    )
