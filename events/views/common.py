"""What the event views share: the event a visitor may see or an organiser edit, a date from its address."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from schedule.models import Event

from home.converters import IdConverter

from ..models import TicketType
from ..permissions import calendar_editable_by
from ..selectors import (
    events_visible_to,
)


def visible_event(request, event_id: int) -> Event:
    return get_object_or_404(events_visible_to(request.user), pk=event_id)


def from_timestamp(timestamp: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)


def ticket_and_start(request, event_id: int, timestamp: int) -> tuple[TicketType, dt.datetime]:
    event = visible_event(request, event_id)
    try:
        ticket_type_id = IdConverter().to_python(request.POST.get("ticket_type", ""))
    except ValueError:
        raise Http404("No such ticket") from None
    ticket_type = get_object_or_404(TicketType, pk=ticket_type_id, event=event)
    return ticket_type, from_timestamp(timestamp)


def back_to_occurrence(event_id, timestamp):
    return redirect("events:occurrence", event_id, timestamp)


def editable_event(request, event_id: int) -> Event:
    event = get_object_or_404(Event.objects.select_related("calendar", "detail"), pk=event_id)
    if not calendar_editable_by(event.calendar, request.user):
        raise PermissionDenied
    return event
