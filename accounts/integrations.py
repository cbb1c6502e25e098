"""Dashboard sections for other apps' data, read through their public selectors.

Registered from AccountsConfig.ready() only when the other app is installed. An app that registers
its own section under the same key (from its own ready(), which runs later) replaces these.
"""

from django.apps import apps
from django.utils.module_loading import import_string

from .dashboard import DashboardSection, dashboard_section_register, data_erase_register, data_export_register
from .traces import rows_of


def _bookings_of():
    try:
        return import_string("events.selectors.bookings_of")
    except ImportError:
        return None


def _booking_items(user) -> dict:
    # events' one ticket line ("Pottery evening — Wed 9 Dec 2026, 19:00 (Wheel place)", site time zone)
    booking_line = import_string("events.display.booking_line")
    items = []
    for booking in _bookings_of()(user)[:20]:
        detail = f"{booking.ticket_type.name}, ticket {booking.code}"
        if booking.state not in ("issuing", "confirmed"):  # checked in, cancelled: said in its words
            detail += f" ({booking.get_state_display().lower()})"
        items.append({"title": booking_line(booking), "detail": detail})
    return {"items": items, "empty": "No tickets or bookings yet."}


def _booking_export(user) -> list[dict]:
    return [
        {
            "event": booking.ticket_type.event.title,
            "ticket": booking.ticket_type.name,
            "starts": booking.occurrence_start.isoformat(),
            "code": booking.code,
            "state": booking.state,
            "booked": booking.created_at.isoformat(),
            "checked_in": booking.checked_in_at.isoformat() if booking.checked_in_at else None,
        }
        for booking in _bookings_of()(user)
    ]


def _booking_erase(user) -> None:
    # Bookings outlive the account (attendance and paid-ticket records) but lose the address, the
    # member's and any they booked under before signing up; the user link goes with the account.
    Booking = apps.get_model("events", "Booking")
    Booking.objects.filter(rows_of(user, "email")).update(email="")


# What a payment attempt keeps of the shipping address once its member is gone (VAT and the books).
_ATTEMPT_ADDRESS_KEPT = ("country",)


def _payment_attempt_erase(user) -> None:
    """SumUp checkout records stay (they match SumUp's transactions) without name, address or email.

    A checkout still open on SumUp's page may yet be paid: its order is then placed as a guest order
    from this anonymised row, so nothing personal comes back."""
    PaymentAttempt = apps.get_model("commerce", "PaymentAttempt")
    for attempt in PaymentAttempt.objects.filter(rows_of(user, "guest_email")):
        address = attempt.shipping_address or {}
        kept = {name: address[name] for name in _ATTEMPT_ADDRESS_KEPT if name in address}
        if address.get("postcode"):
            kept["postcode"] = str(address["postcode"]).split(" ")[0]
        if address:
            kept["last_name"] = "Deleted member"
        attempt.shipping_address = kept
        attempt.guest_email = ""
        attempt.user = None
        attempt.save(update_fields=["shipping_address", "guest_email", "user"])


def register_commerce_erasers() -> None:
    try:
        apps.get_model("commerce", "PaymentAttempt")
    except LookupError:
        return
    data_erase_register("payment_attempts", _payment_attempt_erase)


def register_events_sections() -> None:
    if not apps.is_installed("events") or _bookings_of() is None:
        return
    dashboard_section_register(
        DashboardSection(
            key="bookings",
            title="Tickets and bookings",
            template="accounts/dashboard_items.html",
            context=_booking_items,
            order=30,
        )
    )
    data_export_register("bookings", _booking_export)
    data_erase_register("bookings", _booking_erase)
