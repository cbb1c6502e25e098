"""Event data beside django-scheduler's: calendar ownership, details, tickets, bookings."""

import secrets
import uuid
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from schedule.models import Calendar, Event

FREQUENCIES = {"DAILY": "Daily", "WEEKLY": "Weekly", "MONTHLY": "Monthly", "YEARLY": "Yearly"}
TICKET_PRODUCT_CLASS = "Ticket"
OCCURRENCE_OPTION_CODE = "occurrence"  # the Oscar line option a paid ticket's date rides in


class BookingRefused(ValidationError):
    """A booking, waiting-list or check-in request the rules do not allow; the message says why."""


def _ticket_code() -> str:
    # 10 characters from an unambiguous alphabet: easy to read out at a door, hard to guess.
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class CalendarOwnership(models.Model):
    """Who may edit a scheduler Calendar: named users and groups (staff may edit every calendar)."""

    calendar = models.OneToOneField(Calendar, on_delete=models.CASCADE, related_name="ownership")
    owners = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="owned_calendars")
    owner_groups = models.ManyToManyField("auth.Group", blank=True, related_name="owned_calendars")
    venue = models.CharField(max_length=255, blank=True)
    is_public = models.BooleanField(default=True, help_text="Listed on the site and in the public feed.")

    def __str__(self) -> str:
        return f"ownership of {self.calendar}"


class EventCategory(models.Model):
    name = models.CharField(max_length=80)
    slug = models.SlugField(unique=True)

    class Meta:
        verbose_name_plural = "event categories"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EventDetail(models.Model):
    """What django-scheduler's Event lacks: publication, time zone, all-day, place, picture, category, UID."""

    event = models.OneToOneField(Event, on_delete=models.CASCADE, related_name="detail")
    published = models.BooleanField(default=False)
    all_day = models.BooleanField(default=False)
    # Recurrences are expanded in this zone, so a weekly 10:00 stays 10:00 local across DST changes.
    time_zone = models.CharField(max_length=64, default=settings.TIME_ZONE)
    location = models.CharField(max_length=255, blank=True)
    category = models.ForeignKey(EventCategory, null=True, blank=True, on_delete=models.SET_NULL)
    image = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The iCalendar UID: minted once, so subscribers' calendars update the event instead of duplicating it.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Set when the organiser cancels the whole event: the page says so, bookings stop, the fediverse
    # is told to forget it.
    cancelled_at = models.DateTimeField(null=True, blank=True)
    # Last change made outside the page's publish (tickets, dates): the federated object's `updated`,
    # so remote servers take the Update as newer than what they hold.
    changed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"details of {self.event_id}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class TicketType(models.Model):
    """A kind of place at an event (or one occurrence of it): free or paid, with a quota and sale window."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="ticket_types")
    # Empty: valid for every occurrence; set: only for the occurrence originally starting then.
    occurrence_start = models.DateTimeField(null=True, blank=True)
    name = models.CharField(max_length=120)
    price = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("0.00"))
    quota = models.PositiveIntegerField(help_text="Places per occurrence.")
    sale_starts = models.DateTimeField(null=True, blank=True)
    sale_ends = models.DateTimeField(null=True, blank=True)
    # Paid ticket types are sold as this Oscar product through the basket and checkout.
    product = models.OneToOneField(
        "catalogue.Product", null=True, blank=True, on_delete=models.SET_NULL, related_name="ticket_type"
    )

    class Meta:
        ordering = ["price", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.event.title})"

    @property
    def is_free(self) -> bool:
        return self.price <= 0

    def on_sale(self, at=None) -> bool:
        at = at or timezone.now()
        return (self.sale_starts is None or self.sale_starts <= at) and (
            self.sale_ends is None or at < self.sale_ends
        )


class Booking(models.Model):
    """One place (one ticket) at one occurrence; its code is what the door checks in."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed"
        CANCELLED = "cancelled"

    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="bookings")
    # The occurrence's original start identifies it even when it is later moved.
    occurrence_start = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    email = models.EmailField()
    code = models.CharField(max_length=16, unique=True, default=_ticket_code)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CONFIRMED)
    created_at = models.DateTimeField(auto_now_add=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Paid tickets: the order line that bought them and which of its quantity this is (issuing is idempotent).
    order_line = models.ForeignKey(
        "order.Line", null=True, blank=True, on_delete=models.SET_NULL, related_name="event_tickets"
    )
    order_line_seat = models.PositiveIntegerField(null=True, blank=True)
    # A paid ticket the organiser called off is refunded once by its durable row (events.refunds):
    # refund_owed and that row are written in the cancellation's own transaction, so a refund whose
    # task was lost is still found by the durable sweep; refunded_at is set once SumUp confirmed.
    refund_owed = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    refunded_at = models.DateTimeField(null=True, blank=True)
    refund_amount = models.DecimalField(max_digits=10, decimal_places=2, null=True, blank=True)
    # Set when the automatic refund gave up (SumUp kept failing): staff refund it by hand.
    refund_failed_at = models.DateTimeField(null=True, blank=True)
    refund_error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["occurrence_start", "created_at"]
        indexes = [models.Index(fields=["ticket_type", "occurrence_start", "status"])]
        constraints = [
            models.UniqueConstraint(
                fields=["order_line", "order_line_seat"],
                condition=Q(order_line__isnull=False),
                name="events_booking_one_ticket_per_seat",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.ticket_type.name} {self.occurrence_start:%Y-%m-%d %H:%M}"
