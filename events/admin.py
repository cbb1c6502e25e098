"""Django admin for event data beside django-scheduler's own admin."""

from django.contrib import admin

from .models import Booking, CalendarOwnership, EventCategory, EventDetail, TicketType
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
    list_display = ["code", "ticket_type", "occurrence_start", "email", "status", "checked_in_at"]
    list_filter = ["status"]
    search_fields = ["code", "email"]


admin.site.register(EventCategory)
admin.site.register(WaitingListEntry)
