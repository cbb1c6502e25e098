"""django-scheduler's own views, wrapped: reads limited to what the caller may see, edits reported."""

from django.shortcuts import get_object_or_404
from schedule.models import Event, Occurrence

from .. import calendars, cancellation
from ..permissions import calendar_editable_by
from ..scheduler_urls import scheduler_address_check
from .common import visible_event


def scheduler_visible(view):
    """Wrap a django-scheduler view addressed by event_id (and occurrence_id) with our visibility rule."""

    def guarded(request, *args, **kwargs):
        scheduler_address_check(kwargs)
        event = visible_event(request, kwargs["event_id"])
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
                    cancellation.cancelled_dates_bookings_cancel(event)
                calendars.event_changed(event)
        return response

    return reporting
