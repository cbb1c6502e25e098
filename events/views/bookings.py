"""Attendees: book a free place, join a waiting list, buy a paid ticket, see and cancel tickets."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import bookings, tickets
from ..models import Booking
from ..permissions import calendar_editable_by
from ..selectors import (
    bookings_of,
)
from .common import back_to_occurrence, ticket_and_start


@login_required
@require_POST
def book_free(request, event_id: int, timestamp: int):
    ticket_type, start = ticket_and_start(request, event_id, timestamp)
    try:
        booking = bookings.booking_create_free(
            ticket_type=ticket_type, original_start=start, user=request.user
        )
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
        return back_to_occurrence(event_id, timestamp)
    messages.success(request, f"Booked: your ticket code is {booking.code}.")
    return redirect("events:my_tickets")


@login_required
@require_POST
def waiting_list_join(request, event_id: int, timestamp: int):
    ticket_type, start = ticket_and_start(request, event_id, timestamp)
    try:
        bookings.waiting_list_join(ticket_type=ticket_type, original_start=start, user=request.user)
    except ValidationError as refusal:
        messages.error(request, refusal.messages[0])
    else:
        messages.success(request, "You are on the waiting list; we will email you if a place frees up.")
    return back_to_occurrence(event_id, timestamp)


@require_POST
def basket_add(request, event_id: int, timestamp: int):
    ticket_type, start = ticket_and_start(request, event_id, timestamp)
    try:
        quantity = max(1, min(int(request.POST.get("quantity", 1)), 10))
        tickets.basket_add_ticket(
            basket=request.basket, ticket_type=ticket_type, original_start=start, quantity=quantity
        )
    except (ValidationError, ValueError) as refusal:
        messages.error(request, getattr(refusal, "messages", [str(refusal)])[0])
        return back_to_occurrence(event_id, timestamp)
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
        bookings.booking_cancel(booking=booking, user=request.user)
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
