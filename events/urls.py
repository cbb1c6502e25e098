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

from . import views

app_name = "events"

# django-scheduler addresses an occurrence not yet stored by its original start's parts
_DATE = r"(?P<year>\d+)/(?P<month>\d+)/(?P<day>\d+)/(?P<hour>\d+)/(?P<minute>\d+)/(?P<second>\d+)"

urlpatterns = [
    # our pages
    path("", views.home, name="home"),
    path("o/<int:event_id>/<int:timestamp>/", views.occurrence_detail, name="occurrence"),
    path("o/<int:event_id>/<int:timestamp>/book/", views.book_free, name="book_free"),
    path("o/<int:event_id>/<int:timestamp>/wait/", views.waiting_list_join, name="waiting_list_join"),
    path("o/<int:event_id>/<int:timestamp>/basket/", views.basket_add, name="basket_add"),
    path("o/<int:event_id>/<int:timestamp>/cancel/", views.occurrence_cancel, name="occurrence_cancel"),
    path("o/<int:event_id>/<int:timestamp>/move/", views.occurrence_move, name="occurrence_move"),
    path("tickets/", views.my_tickets, name="my_tickets"),
    path("tickets/<str:code>/cancel/", views.booking_cancel, name="booking_cancel"),
    path("tickets/<str:code>/qr.svg", views.ticket_qr, name="ticket_qr"),
    path("manage/", views.manage, name="manage"),
    path("manage/new/", views.event_create, name="event_create"),
    path("manage/<int:event_id>/", views.manage_event, name="manage_event"),
    path("manage/<int:event_id>/cancel/", views.event_cancel, name="event_cancel"),
    path("check-in/", views.check_in, name="check_in"),
    # iCalendar
    path("feed.ics", views.feed, name="feed"),
    path("calendars/<slug:slug>.ics", views.calendar_feed, name="calendar_feed"),
    path("e/<int:event_id>.ics", views.event_ics, name="event_ics"),
    # django-scheduler's addresses, replaced: its defaults answer anyone for every calendar
    re_path(r"^api/occurrences", views.api_occurrences, name="api_occurrences"),
    re_path(r"^api/move_or_resize/$", views.api_move_or_resize, name="api_move_or_resize"),
    re_path(r"^api/select_create/$", views.api_select_create, name="api_select_create"),
    re_path(r"^ical/calendar/(?P<slug>[-\w]+)/$", views.scheduler_calendar_ical),
    re_path(r"^feed/calendar/upcoming/(?P<calendar_id>\d+)/$", views.feed),
    re_path(r"^event/(?P<event_id>\d+)/$", views.scheduler_visible(EventView.as_view())),
    re_path(
        r"^occurrence/(?P<event_id>\d+)/(?P<occurrence_id>\d+)/$",
        views.scheduler_visible(OccurrenceView.as_view()),
    ),
    re_path(
        rf"^occurrence/(?P<event_id>\d+)/{_DATE}/$",
        views.scheduler_visible(OccurrencePreview.as_view()),
    ),
    # its edit views, unchanged but for reporting a change to the federated page
    re_path(
        r"^event/edit/(?P<calendar_slug>[-\w]+)/(?P<event_id>\d+)/$",
        views.scheduler_change_reported(EditEventView.as_view()),
    ),
    re_path(
        r"^occurrence/cancel/(?P<event_id>\d+)/(?P<occurrence_id>\d+)/$",
        views.scheduler_change_reported(CancelOccurrenceView.as_view(), cancels_dates=True),
    ),
    re_path(
        r"^occurrence/edit/(?P<event_id>\d+)/(?P<occurrence_id>\d+)/$",
        views.scheduler_change_reported(EditOccurrenceView.as_view()),
    ),
    re_path(
        rf"^occurrence/cancel/(?P<event_id>\d+)/{_DATE}/$",
        views.scheduler_change_reported(CancelOccurrenceView.as_view(), cancels_dates=True),
    ),
    re_path(
        rf"^occurrence/edit/(?P<event_id>\d+)/{_DATE}/$",
        views.scheduler_change_reported(CreateOccurrenceView.as_view()),
    ),
]
