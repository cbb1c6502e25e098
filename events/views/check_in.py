"""The door: an organiser admits a ticket by its code."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render

from ..check_in import booking_check_in
from ..forms import CheckInForm
from ..permissions import organiser_calendars


@login_required
def check_in(request):
    if not organiser_calendars(request.user).exists():
        raise PermissionDenied
    form = CheckInForm(request.POST or None)
    result, status = None, 200
    if request.method == "POST" and form.is_valid():
        try:
            booking = booking_check_in(code=form.cleaned_data["code"], by_user=request.user)
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
