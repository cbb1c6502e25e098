"""django-scheduler's JSON API for FullCalendar, with our permissions: list, drag, select to create."""

import datetime as dt

import dateutil.parser
from django.db import transaction
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from schedule.models import Calendar, Event, Occurrence

from home.converters import TimestampConverter

from .. import calendars, occurrences
from ..links import occurrence_url
from ..permissions import calendar_editable_by, organiser_calendars
from ..selectors import (
    events_visible_to,
    occurrences_between,
)


def _api_datetime(value: str) -> dt.datetime:
    """An ISO 8601 date-time from FullCalendar, in UTC; ValueError for one no datetime can hold.

    dateutil accepts any UTC offset (+99:00) and any year, but Python refuses offsets of a day or
    more the moment one is used, and a date near year 1 or 9999 overflows once shifted to UTC."""
    parsed = dateutil.parser.parse(value)
    parsed = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
    in_utc = parsed.astimezone(dt.UTC)
    TimestampConverter().to_python(str(int(in_utc.timestamp())))
    return in_utc


@require_safe
def api_occurrences(request):
    """FullCalendar's event source: only events the caller may see, in the calendars asked for."""
    try:
        start = _api_datetime(request.GET["start"])
        end = _api_datetime(request.GET["end"])
    except (KeyError, ValueError, OverflowError):
        return HttpResponseBadRequest("start and end are required ISO 8601 date-times")
    if end <= start or end - start > dt.timedelta(days=400):
        return HttpResponseBadRequest("the window must be positive and at most 400 days")
    events = events_visible_to(request.user)
    slugs = [s for s in request.GET.get("calendar_slug", "").split(",") if s]
    if slugs:
        events = events.filter(calendar__slug__in=slugs)
    editable = {c.pk for c in organiser_calendars(request.user)} if request.user.is_authenticated else set()
    data = []
    for occurrence in occurrences_between(events, start, end):
        event = occurrence.event
        data.append(
            {
                "id": occurrence.pk or f"{event.pk}-{int(occurrence.original_start.timestamp())}",
                "title": occurrence.title,
                "start": occurrence.start.isoformat(),
                "end": occurrence.end.isoformat(),
                "allDay": bool(getattr(event, "detail", None) and event.detail.all_day),
                "url": occurrence_url(occurrence),
                "existed": occurrence.pk is not None,
                "event_id": event.pk,
                "calendar": event.calendar.slug,
                "editable": event.calendar_id in editable,
            }
        )
    return JsonResponse(data, safe=False)


MOVE_MINUTES_MAX = 10 * 366 * 24 * 60  # ten years: FullCalendar drags by days or minutes, never further


@require_POST
def api_move_or_resize(request):
    """Drag-and-drop from FullCalendar: refused unless the caller edits the event's calendar."""
    if not request.user.is_authenticated:
        return JsonResponse({"status": "PERMISSION DENIED"}, status=403)
    try:
        minutes = int(request.POST["delta"])
        if abs(minutes) > MOVE_MINUTES_MAX:
            raise ValueError("no drag moves an event that far")
        delta = dt.timedelta(minutes=minutes)
        event = Event.objects.select_related("calendar").get(pk=_row_id(request.POST["event_id"]))
    except (KeyError, ValueError, OverflowError, Event.DoesNotExist):
        return JsonResponse({"status": "BAD REQUEST"}, status=400)
    if not calendar_editable_by(event.calendar, request.user):
        return JsonResponse({"status": "PERMISSION DENIED"}, status=403)
    resize = request.POST.get("resize") in ("true", "1", "True")
    try:
        with transaction.atomic():  # rolled back whole if the move fails half way
            if request.POST.get("existed") == "true":
                occurrence = get_object_or_404(
                    Occurrence, pk=_row_id(request.POST.get("id", "")), event=event
                )
                occurrences.occurrence_shift(occurrence=occurrence, delta=delta, resize=resize)
            else:
                calendars.event_shift(event=event, delta=delta, resize=resize)
    except (ValueError, OverflowError):  # a bad occurrence id, or a date moved past year 9999
        return JsonResponse({"status": "BAD REQUEST"}, status=400)
    return JsonResponse({"status": "OK"})


def _row_id(value: str) -> int:
    """A primary key from form input; ValueError unless it is one the database can hold."""
    number = int(value)
    if not 0 < number < 2**63:
        raise ValueError(f"{value!r} is not a row id")
    return number


@require_POST
def api_select_create(request):
    """Creating by selecting a range in FullCalendar: an unpublished draft in a calendar the caller edits."""
    calendar = Calendar.objects.filter(slug=request.POST.get("calendar_slug", "")).first()
    if calendar is None:
        return JsonResponse({"status": "NOT FOUND"}, status=404)
    if not calendar_editable_by(calendar, request.user):
        return JsonResponse({"status": "PERMISSION DENIED"}, status=403)
    zone = timezone.get_current_timezone()
    try:
        start = _api_datetime(request.POST["start"])
        end = _api_datetime(request.POST["end"])
        # Converting to local time can leave datetime's range (year 1 at +14:00)
        start, end = timezone.make_naive(start, zone), timezone.make_naive(end, zone)
    except (KeyError, ValueError, OverflowError):
        return JsonResponse({"status": "BAD REQUEST"}, status=400)
    spec = calendars.EventSpec(title="New event", start=start, end=end, time_zone=str(zone), published=False)
    event = calendars.event_create(calendar=calendar, spec=spec, creator=request.user)
    return JsonResponse({"status": "OK", "event_id": event.pk})
