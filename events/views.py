"""HTTP views for events: occurrences, bookings, tickets, check-in, organiser forms, feeds, calendar API."""

import datetime as dt
import functools

import dateutil.parser
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.views.decorators.http import require_POST, require_safe
from schedule.models import Calendar, Event, Occurrence

from home.converters import IdConverter, TimestampConverter

from . import services
from .display import month_from_param, month_grid
from .forms import CheckInForm, EventForm, MoveOccurrenceForm, TicketTypeForm
from .ical import calendar_ical
from .models import Booking, TicketType
from .permissions import calendar_editable_by, organiser_calendars
from .scheduler_urls import scheduler_address_check
from .selectors import (
    bookings_held_for_event,
    bookings_of,
    bookings_refund_failed,
    calendars_public,
    event_zone,
    events_listed_to,
    events_published,
    events_visible_to,
    occurrence_get,
    occurrences_between,
    places_taken,
    ticket_types_for,
)


def _visible_event(request, event_id: int) -> Event:
    return get_object_or_404(events_visible_to(request.user), pk=event_id)


def _from_timestamp(timestamp: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(timestamp), tz=dt.UTC)


@functools.lru_cache(maxsize=8)
def _occurrence_url_pattern(script_prefix: str) -> str:
    # One reverse() per process and prefix: month views and the API link hundreds of occurrences.
    return (
        reverse("events:occurrence", args=[123456789, 987654321])
        .replace("123456789", "{event}")
        .replace("987654321", "{timestamp}")
    )


def occurrence_url(occurrence: Occurrence) -> str:
    return _occurrence_url_pattern(get_script_prefix()).format(
        event=occurrence.event_id, timestamp=int(occurrence.original_start.timestamp())
    )


def event_public_url(event: Event) -> str:
    page = getattr(event, "page", None)
    if page is not None and page.live:
        return page.full_url or ""
    return ""


# --- public pages -----------------------------------------------------------------------------------


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
    event = _visible_event(request, event_id)
    occurrence = occurrence_get(event, _from_timestamp(timestamp))
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
    my_bookings = (
        Booking.objects.filter(
            user=request.user, ticket_type__event=event, occurrence_start=occurrence.original_start
        ).exclude(status=Booking.Status.CANCELLED)
        if request.user.is_authenticated
        else []
    )
    return render(
        request,
        "events/occurrence.html",
        {
            "event": event,
            "occurrence": occurrence,
            "local_start": occurrence.start.astimezone(event_zone(event)),
            "local_end": occurrence.end.astimezone(event_zone(event)),
            "ticket_types": ticket_types,
            "my_bookings": my_bookings,
            "can_edit": calendar_editable_by(event.calendar, request.user),
            "timestamp": timestamp,
            "move_form": MoveOccurrenceForm(),
            "ticket_form": TicketTypeForm(),
            "page_url": event_public_url(event),
            "in_past": occurrence.start <= now,
            "event_cancelled": bool(getattr(event, "detail", None) and event.detail.is_cancelled),
        },
    )


def _ticket_and_start(request, event_id: int, timestamp: int) -> tuple[TicketType, dt.datetime]:
    event = _visible_event(request, event_id)
    try:
        ticket_type_id = IdConverter().to_python(request.POST.get("ticket_type", ""))
    except ValueError:
        raise Http404("No such ticket") from None
    ticket_type = get_object_or_404(TicketType, pk=ticket_type_id, event=event)
    return ticket_type, _from_timestamp(timestamp)


def _back(event_id, timestamp):
    return redirect("events:occurrence", event_id, timestamp)


@login_required
@require_POST
def book_free(request, event_id: int, timestamp: int):
    ticket_type, start = _ticket_and_start(request, event_id, timestamp)
    try:
        booking = services.booking_create_free(
            ticket_type=ticket_type, original_start=start, user=request.user
        )
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
        return _back(event_id, timestamp)
    messages.success(request, f"Booked: your ticket code is {booking.code}.")
    return redirect("events:my_tickets")


@login_required
@require_POST
def waiting_list_join(request, event_id: int, timestamp: int):
    ticket_type, start = _ticket_and_start(request, event_id, timestamp)
    try:
        services.waiting_list_join(ticket_type=ticket_type, original_start=start, user=request.user)
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
    else:
        messages.success(request, "You are on the waiting list; we will email you if a place frees up.")
    return _back(event_id, timestamp)


@require_POST
def basket_add(request, event_id: int, timestamp: int):
    ticket_type, start = _ticket_and_start(request, event_id, timestamp)
    try:
        quantity = max(1, min(int(request.POST.get("quantity", 1)), 10))
        services.basket_add_ticket(
            basket=request.basket, ticket_type=ticket_type, original_start=start, quantity=quantity
        )
    except (ValidationError, ValueError) as refusal:
        messages.error(request, getattr(refusal, "messages", [str(refusal)])[0])
        return _back(event_id, timestamp)
    messages.success(request, f"{ticket_type.name} added to your basket.")
    return redirect("basket:summary")


@login_required
def my_tickets(request):
    bookings = list(bookings_of(request.user))
    return render(request, "events/my_tickets.html", {"bookings": bookings, "now": timezone.now()})


@login_required
@require_POST
def booking_cancel(request, code: str):
    booking = get_object_or_404(Booking, code=code, user=request.user)
    try:
        services.booking_cancel(booking=booking, user=request.user)
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
    else:
        messages.success(request, f"Booking {booking.code} cancelled.")
    return redirect("events:my_tickets")


@login_required
def ticket_qr(request, code: str):
    import segno

    booking = get_object_or_404(Booking, code=code)
    if booking.user_id != request.user.pk and not calendar_editable_by(
        booking.ticket_type.event.calendar, request.user
    ):
        raise Http404
    response = HttpResponse(content_type="image/svg+xml")
    segno.make(booking.code, error="m").save(response, kind="svg", scale=6)
    return response


# --- organisers -------------------------------------------------------------------------------------


@login_required
def manage(request):
    calendars = organiser_calendars(request.user)
    if not calendars.exists():
        raise PermissionDenied
    events = Event.objects.filter(calendar__in=calendars).select_related("calendar", "detail", "rule")
    return render(
        request, "events/manage.html", {"calendars": calendars, "events": events.order_by("-start")[:100]}
    )


@login_required
def event_create(request):
    calendars = organiser_calendars(request.user)
    if not calendars.exists():
        raise PermissionDenied
    form = EventForm(request.POST or None, calendars=calendars)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        spec = services.EventSpec(
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
            event = services.event_create(calendar=data["calendar"], spec=spec, creator=request.user)
            if data["ticket_name"]:
                services.ticket_type_create(
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


def _editable_event(request, event_id: int) -> Event:
    event = get_object_or_404(Event.objects.select_related("calendar", "detail"), pk=event_id)
    if not calendar_editable_by(event.calendar, request.user):
        raise PermissionDenied
    return event


@login_required
def manage_event(request, event_id: int):
    event = _editable_event(request, event_id)
    form = TicketTypeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.ticket_type_create(
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
        occurrence.booked = Booking.objects.filter(
            ticket_type__event=event,
            occurrence_start=occurrence.original_start,
            status=Booking.Status.CONFIRMED,
        ).count()
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
    event = _editable_event(request, event_id)
    services.occurrence_cancel(event=event, original_start=_from_timestamp(timestamp))
    messages.success(request, "That date is cancelled; its attendees have been told.")
    return redirect("events:manage_event", event.pk)


@login_required
def event_cancel(request, event_id: int):
    """Cancel a whole event: GET asks for confirmation (saying who will be told), POST does it."""
    event = _editable_event(request, event_id)
    cancelled = bool(getattr(event, "detail", None) and event.detail.is_cancelled)
    if request.method == "POST" and not cancelled:
        bookings = services.event_cancel(event=event, by_user=request.user)
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
    event = _editable_event(request, event_id)
    form = MoveOccurrenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the new start date and time.")
        return _back(event_id, timestamp)
    new_start = timezone.make_naive(form.cleaned_data["new_start"]).replace(tzinfo=event_zone(event))
    services.occurrence_move(event=event, original_start=_from_timestamp(timestamp), new_start=new_start)
    messages.success(request, "That date is moved.")
    return redirect("events:manage_event", event.pk)


@login_required
def check_in(request):
    if not organiser_calendars(request.user).exists():
        raise PermissionDenied
    form = CheckInForm(request.POST or None)
    result, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.booking_check_in(code=form.cleaned_data["code"], by_user=request.user)
        except PermissionDenied as refusal:
            result, status = {"ok": False, "message": str(refusal)}, 403
        except ValidationError as refusal:
            result, status = {"ok": False, "message": refusal.messages[0]}, 409
        else:
            result = {
                "ok": True,
                "message": f"Welcome! {booking.ticket_type.name} — {booking.email}",
                "booking": booking,
            }
        form = CheckInForm()
    return render(request, "events/check_in.html", {"form": form, "result": result}, status=status)


# --- iCalendar --------------------------------------------------------------------------------------


def _ics(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def feed(request, **_ignored):
    events = events_published().select_related("page")
    return _ics(calendar_ical(events, name="All events", url_for=event_public_url), "events.ics")


@require_safe
def calendar_feed(request, slug: str):
    calendar = get_object_or_404(calendars_public(), slug=slug)
    events = events_published().filter(calendar=calendar).select_related("page")
    return _ics(calendar_ical(events, name=calendar.name, url_for=event_public_url), f"{calendar.slug}.ics")


@require_safe
def event_ics(request, event_id: int):
    event = get_object_or_404(events_published(), pk=event_id)
    return _ics(calendar_ical([event], name=event.title, url_for=event_public_url), f"event-{event.pk}.ics")


# --- django-scheduler's JSON API, with permissions ---------------------------------------------------


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
                services.occurrence_shift(occurrence=occurrence, delta=delta, resize=resize)
            else:
                services.event_shift(event=event, delta=delta, resize=resize)
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
    spec = services.EventSpec(title="New event", start=start, end=end, time_zone=str(zone), published=False)
    event = services.event_create(calendar=calendar, spec=spec, creator=request.user)
    return JsonResponse({"status": "OK", "event_id": event.pk})


# --- django-scheduler's read views, limited to what the caller may see -------------------------------


def scheduler_visible(view):
    """Wrap a django-scheduler view addressed by event_id (and occurrence_id) with our visibility rule."""

    def guarded(request, *args, **kwargs):
        scheduler_address_check(kwargs)
        event = _visible_event(request, kwargs["event_id"])
        if "occurrence_id" in kwargs:
            get_object_or_404(Occurrence, pk=kwargs["occurrence_id"], event=event)
        return view(request, *args, **kwargs)

    return guarded


def scheduler_change_reported(view, *, cancels_dates: bool = False):
    """Wrap a django-scheduler edit view (its own permission check runs inside): a POST it answers with
    a redirect has changed the event's dates, so the federated page gets its Update as from our forms,
    and a date it cancelled loses its bookings as with our own cancel button.

    django-scheduler also redirects a refused user (to the login page): only an organiser's change counts.
    """

    def reporting(request, *args, **kwargs):
        scheduler_address_check(kwargs)
        response = view(request, *args, **kwargs)
        if request.method == "POST" and response.status_code == 302:
            event = Event.objects.select_related("calendar").filter(pk=kwargs["event_id"]).first()
            if event is not None and calendar_editable_by(event.calendar, request.user):
                if cancels_dates:
                    services.cancelled_dates_bookings_cancel(event)
                services.event_changed(event)
        return response

    return reporting


def scheduler_calendar_ical(request, slug: str):
    # django-scheduler's own feed drops recurrence and unpublished checks: serve ours at its address.
    return calendar_feed(request, slug)
