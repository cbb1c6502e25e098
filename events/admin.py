"""Django admin for event data beside django-scheduler's own admin."""

from django.contrib import admin
from django.db import transaction

from durable import runner
from durable.models import StatefulModel

from .models import Booking, BookingGraph, CalendarOwnership, EventCategory, EventDetail, TicketType
from .waiting_list import WaitingListEntry


@admin.register(CalendarOwnership)
class CalendarOwnershipAdmin(admin.ModelAdmin):
    list_display = ["calendar", "venue", "is_public"]
    filter_horizontal = ["owners", "owner_groups"]


@admin.register(EventDetail)
class EventDetailAdmin(admin.ModelAdmin):
    list_display = ["event", "published", "all_day", "time_zone", "category"]
    list_filter = ["published", "category"]


@admin.register(TicketType)
class TicketTypeAdmin(admin.ModelAdmin):
    list_display = ["name", "event", "price", "quota", "occurrence_start"]


@admin.register(Booking)
class BookingAdmin(admin.ModelAdmin):
    list_display = ["code", "ticket_type", "occurrence_start", "email", "state", "checked_in_at"]
    list_filter = ["state"]
    search_fields = ["code", "email"]
    # The state moves only through the graph (the runner, the door, a cancellation), never a form.
    readonly_fields = [*StatefulModel.STATE_FIELDS, "ticket_mail_id", "ticket_mailed_at"]
    actions = ["ticket_issue_again"]

    @admin.action(description="Issue the ticket again (bookings whose ticket was not issued)")
    def ticket_issue_again(self, request, queryset) -> None:
        # Only `failed` rows: restart() would move any row back to issuing, a checked-in one too.
        failed = list(queryset.filter(state=BookingGraph.failed.name))
        with transaction.atomic():
            for booking in failed:
                booking.restart()
                runner.advance_on_commit(booking)
        self.message_user(request, f"{len(failed)} ticket(s) sent to be issued again.")


admin.site.register(EventCategory)
admin.site.register(WaitingListEntry)
