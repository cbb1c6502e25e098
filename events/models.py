"""Event data beside django-scheduler's: calendar ownership, details, tickets, bookings (and their graph)."""

import io
import secrets
import uuid
from datetime import datetime
from decimal import Decimal
from email.utils import make_msgid
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import models
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from schedule.models import Calendar, Event

from durable.graph import State, StateGraph
from durable.models import Outcome, StatefulModel, TransitionRefused, state_choices, state_field
from durable.retry import RetryPolicy

FREQUENCIES = {"DAILY": "Daily", "WEEKLY": "Weekly", "MONTHLY": "Monthly", "YEARLY": "Yearly"}
TICKET_PRODUCT_CLASS = "Ticket"
OCCURRENCE_OPTION_CODE = "occurrence"  # the Oscar line option a paid ticket's date rides in


def occurrence_log_key(event_id: int, original_start: datetime) -> str:
    """The flow log's key for one date of an event: the event's ("event:<id>", events.federation) and
    the date's timestamp, so a search for the event finds its dates' flows too."""
    return f"event:{event_id}:{int(original_start.timestamp())}"


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


class BookingGraph(StateGraph):
    """One place at one occurrence: booked and its ticket emailed, then let in at the door or called off.

    issuing ─▶ confirmed ─▶ checked_in     (the common path; the door may admit `issuing` too)
       │           └──────▶ cancelled      (by the attendee, an organiser, or the event called off)
       └──▶ failed                         (workers kept dying on the email: staff issue it again)
    """

    issuing = State(
        initial=True,
        handler="ticket_issue",
        timeout=120,  # one email with its QR code
        # A mail server out for a few hours: 1, 2, 4 ... 60 minutes apart. On the last try the place
        # stands without the email (the code is on "My tickets"), and the row says why.
        retry=RetryPolicy(max_attempts=8, base_seconds=60, cap_seconds=3600),
        transitions=["confirmed", "checked_in", "cancelled", "failed"],
        label="Booked; ticket email on its way",
    )
    confirmed = State(transitions=["checked_in", "cancelled"], label="Booked")
    checked_in = State(terminal=True, label="Checked in")
    cancelled = State(terminal=True, label="Cancelled")
    # Only the runner gives up on its own (workers died on every try): the place is still held.
    failed = State(terminal=True, failure=True, label="Ticket not issued: staff to issue it again")


# A booking in these states holds its place (counted against the quota); in these it may still be
# admitted at the door or cancelled.
BOOKING_HOLDS_PLACE = ["issuing", "confirmed", "checked_in", "failed"]
BOOKING_OPEN = ["issuing", "confirmed"]


class Booking(StatefulModel):
    """One place (one ticket) at one occurrence; its code is what the door checks in.

    Its ticket email is the `issuing` state's work, done by the one runner after the booking commits.
    `ticket_mail_id` is that email's Message-ID, written before it is sent: a worker killed after the
    send resends under the same id, which mail clients fold into one message.
    """

    state_graph = BookingGraph
    State = state_choices(BookingGraph)

    ticket_type = models.ForeignKey(TicketType, on_delete=models.PROTECT, related_name="bookings")
    # The occurrence's original start identifies it even when it is later moved.
    occurrence_start = models.DateTimeField(db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="bookings"
    )
    email = models.EmailField()
    code = models.CharField(max_length=16, unique=True, default=_ticket_code)
    state = state_field(BookingGraph)
    created_at = models.DateTimeField(auto_now_add=True)
    ticket_mail_id = models.CharField(max_length=255, blank=True)
    ticket_mailed_at = models.DateTimeField(null=True, blank=True)
    # Written in the same conditional UPDATE as the move to `cancelled` / `checked_in`.
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
        indexes = [models.Index(fields=["ticket_type", "occurrence_start", "state"])]
        constraints = [
            models.UniqueConstraint(
                fields=["order_line", "order_line_seat"],
                condition=Q(order_line__isnull=False),
                name="events_booking_one_ticket_per_seat",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.ticket_type.name} {self.occurrence_start:%Y-%m-%d %H:%M}"

    def state_log_keys(self) -> list[str]:
        """Its date's flows (that date's cancellation), then its event's (the whole event's)."""
        event_id = self.ticket_type.event_id
        return [occurrence_log_key(event_id, self.occurrence_start), f"event:{event_id}"]

    @property
    def is_open(self) -> bool:
        """Not yet let in at the door, nor cancelled: either may still happen."""
        return self.state in BOOKING_OPEN

    def move_if_open(self, to: str, *, now: datetime, fields: dict) -> bool:
        """Move this booking from an open state (issuing, confirmed) to `to` (checked_in, cancelled),
        writing `fields` in the same conditional UPDATE; False once it is no longer open.

        Of two people moving it at once (two doors scanning the same code) only one UPDATE changes the
        row; the other reads what won. A move refused because the runner went from issuing to confirmed
        meanwhile is tried again from there.
        """
        for _ in range(len(BOOKING_OPEN) + 1):
            if self.state not in BOOKING_OPEN:
                return False
            try:
                self.transition(to, now=now, fields=fields)
            except TransitionRefused:
                self.refresh_from_db()
                continue
            return True
        return False

    def ticket_issue(self, now: datetime) -> str | Outcome | None:
        """Handler of `issuing`, run by the runner with the row's lease and no transaction open: email
        the ticket once, then `confirmed`. A try that finds the email already sent only moves on."""
        if self.ticket_mailed_at is not None or not self.email:
            # Sent by a try whose move was never recorded, or nobody to send it to (account deleted).
            return BookingGraph.confirmed.name
        # Fenced by the lease the runner loaded with the row: once the door admitted the ticket or the
        # attendee cancelled it (both clear the lease), or another worker took it, nothing is sent.
        ours = Booking.objects.filter(pk=self.pk, state=self.state, locked_until=self.locked_until)
        # The idempotency key, recorded before the send (a crash after sending resends the same id);
        # the write is also the check that the row is still ours.
        self.ticket_mail_id = self.ticket_mail_id or make_msgid(
            domain=urlsplit(settings.SITE_URL).hostname or None
        )
        if not ours.update(ticket_mail_id=self.ticket_mail_id):
            return None
        try:
            _ticket_message(self).send()
        except Exception as exc:  # SMTP refuses or is down: the retry policy decides, up to its last try
            if not self.state_node.retry.exhausted(self.state_attempts):
                raise
            # The place is the attendee's whether or not the email went: its code is on "My tickets".
            error = f"ticket email not sent: {type(exc).__name__}: {exc}"
            return Outcome(BookingGraph.confirmed.name, error=error)
        ours.update(ticket_mailed_at=now)
        return BookingGraph.confirmed.name


def _ticket_message(booking: Booking) -> EmailMessage:
    """The ticket email: its code, and the QR code as a PNG attachment. Built here rather than through
    events.mail because the models sit below it in the app's layers (pyproject.toml)."""
    import segno

    body = render_to_string(
        "events/email/ticket.txt",
        {
            "booking": booking,
            "event": booking.ticket_type.event,
            "url": settings.SITE_URL + reverse("events:my_tickets"),
            "SITE_URL": settings.SITE_URL,
            "SITE_NAME": settings.SITE_NAME,
        },
    )
    subject, _, text = body.partition("\n")
    email = EmailMessage(subject.strip(), text.strip() + "\n", to=[booking.email])
    email.extra_headers["Message-ID"] = booking.ticket_mail_id
    png = io.BytesIO()
    segno.make(booking.code, error="m").save(png, kind="png", scale=6)
    email.attach(f"ticket-{booking.code}.png", png.getvalue(), "image/png")
    return email
