"""URL routes owned by events (mounted at /events/ before django-scheduler's, so same paths here win)."""

from django.urls import path, re_path
from schedule.views import (
    CancelOccurrenceView,
    CreateOccurrenceView,
    EditEventView,
    EditOccurrenceView,
    EventView,
    OccurrencePreview,
    OccurrenceView,
)

from .views import bookings, calendar_api, check_in, feeds, organisers, public, scheduler

app_name = "events"

# django-scheduler addresses an occurrence not yet stored by its original start's parts; the views'
# wrappers answer 404 for parts that make no date (scheduler: scheduler_address_check).
_DATE = (
    r"(?P<year>\d{1,4})/(?P<month>\d{1,2})/(?P<day>\d{1,2})/"
    r"(?P<hour>\d{1,2})/(?P<minute>\d{1,2})/(?P<second>\d{1,2})"
)
# Ids are <id:...> (home.converters): a number past a 64-bit integer is a 404, not a database error.
_ID = r"\d{1,19}"

urlpatterns = [
    # our pages
    path("", public.home, name="home"),
    path("o/<id:event_id>/<timestamp:timestamp>/", public.occurrence_detail, name="occurrence"),
    path("o/<id:event_id>/<timestamp:timestamp>/book/", bookings.book_free, name="book_free"),
    path("o/<id:event_id>/<timestamp:timestamp>/wait/", bookings.waiting_list_join, name="waiting_list_join"),
    path("o/<id:event_id>/<timestamp:timestamp>/basket/", bookings.basket_add, name="basket_add"),
    path(
        "o/<id:event_id>/<timestamp:timestamp>/cancel/",
        organisers.occurrence_cancel,
        name="occurrence_cancel",
    ),
    path("o/<id:event_id>/<timestamp:timestamp>/move/", organisers.occurrence_move, name="occurrence_move"),
    path("tickets/", bookings.my_tickets, name="my_tickets"),
    path("tickets/<str:code>/cancel/", bookings.booking_cancel, name="booking_cancel"),
    path("tickets/<str:code>/qr.svg", bookings.ticket_qr, name="ticket_qr"),
    path("manage/", organisers.manage, name="manage"),
    path("manage/new/", organisers.event_create, name="event_create"),
    path("manage/new/dates.json", organisers.recurrence_preview, name="recurrence_preview"),
    path("manage/<id:event_id>/", organisers.manage_event, name="manage_event"),
    path("manage/<id:event_id>/cancel/", organisers.event_cancel, name="event_cancel"),
    path("check-in/", check_in.check_in, name="check_in"),
    # iCalendar
    path("feed.ics", feeds.feed, name="feed"),
    path("calendars/<slug:slug>.ics", feeds.calendar_feed, name="calendar_feed"),
    path("e/<id:event_id>.ics", feeds.event_ics, name="event_ics"),
    path("o/<id:event_id>/<timestamp:timestamp>.ics", feeds.occurrence_ics, name="occurrence_ics"),
    # django-scheduler's addresses, replaced: its defaults answer anyone for every calendar
    re_path(r"^api/occurrences", calendar_api.api_occurrences, name="api_occurrences"),
    re_path(r"^api/move_or_resize/$", calendar_api.api_move_or_resize, name="api_move_or_resize"),
    re_path(r"^api/select_create/$", calendar_api.api_select_create, name="api_select_create"),
    re_path(r"^ical/calendar/(?P<slug>[-\w]+)/$", feeds.scheduler_calendar_ical),
    path("feed/calendar/upcoming/<id:calendar_id>/", feeds.feed),
    path("event/<id:event_id>/", scheduler.scheduler_visible(EventView.as_view()), name="event"),
    path(
        "occurrence/<id:event_id>/<id:occurrence_id>/",
        scheduler.scheduler_visible(OccurrenceView.as_view()),
        name="occurrence_stored",
    ),
    re_path(
        rf"^occurrence/(?P<event_id>{_ID})/{_DATE}/$",
        scheduler.scheduler_visible(OccurrencePreview.as_view()),
        name="occurrence_by_date",
    ),
    # its edit views, unchanged but for reporting a change to the federated page
    path(
        "event/edit/<slug:calendar_slug>/<id:event_id>/",
        scheduler.scheduler_change_reported(EditEventView.as_view()),
    ),
    path(
        "occurrence/cancel/<id:event_id>/<id:occurrence_id>/",
        scheduler.scheduler_change_reported(CancelOccurrenceView.as_view(), cancels_dates=True),
    ),
    path(
        "occurrence/edit/<id:event_id>/<id:occurrence_id>/",
        scheduler.scheduler_change_reported(EditOccurrenceView.as_view()),
    ),
    re_path(
        rf"^occurrence/cancel/(?P<event_id>{_ID})/{_DATE}/$",
        scheduler.scheduler_change_reported(CancelOccurrenceView.as_view(), cancels_dates=True),
    ),
    re_path(
        rf"^occurrence/edit/(?P<event_id>{_ID})/{_DATE}/$",
        scheduler.scheduler_change_reported(CreateOccurrenceView.as_view()),
    ),
]
