"""What a ticket refund's outcome does to its booking, as effects of the `payment_refund` behavior:
mark the booking refunded, or flag it for staff, and queue the ticket holder's one email.

Commerce's refund runner reports the outcome of a ticket's refund (keyed `ticket-<code>`, see
events.refunds) and the behavior's steps call these by the names in SOCIAL_FLOW_ACTIONS, inside the
step's transaction, beside commerce's own (the order's books, the payment flagged). A ticket refund
given up before commerce ever recorded it is reported from here (`ticket_refund_outcome_start`).
"""

from __future__ import annotations

from django.utils import timezone

from durable.outgoing import email_queue

from .mail import message as mail_message
from .models import Booking

TICKET_REFUND_KEY_PREFIX = "ticket-"


def ticket_refund_key(code: str) -> str:
    """The ticket's refund's idempotency key: SumUp's, the PaymentRefund's and the flow's (refund:<key>)."""
    return f"{TICKET_REFUND_KEY_PREFIX}{code}"


def _booking(refund_key: str) -> Booking:
    code = refund_key.removeprefix(TICKET_REFUND_KEY_PREFIX)
    return Booking.objects.select_for_update(of=("self",)).select_related("ticket_type__event").get(code=code)


def ticket_refund_outcome_start(booking_id: int, outcome: str, error: str = "") -> None:
    """The booking's refund reached `outcome`: have its one payment_refund flow written and run."""
    from commerce.refund_outcome import refund_outcome_start

    code = Booking.objects.values_list("code", flat=True).get(pk=booking_id)
    refund_outcome_start(ticket_refund_key(code), outcome, error)


def ticket_refund_mark(refund_key: str) -> dict:
    """SumUp refunded the seat: the booking says so (its pages and emails read these columns)."""
    from commerce.models import PaymentRefund

    booking = _booking(refund_key)
    amount = PaymentRefund.objects.values_list("amount", flat=True).get(key=refund_key)
    if booking.refunded_at is None:
        booking.refunded_at, booking.refund_amount = timezone.now(), amount
        booking.refund_failed_at, booking.refund_error = None, ""
        booking.save(update_fields=["refunded_at", "refund_amount", "refund_failed_at", "refund_error"])
    return {"booking": booking.pk, "amount": str(amount)}


def ticket_refund_flag(refund_key: str, error: str) -> dict:
    """Given up: the booking is flagged on the event's page, so staff refund from the order."""
    booking = _booking(refund_key)
    if booking.refunded_at is not None:
        return {"booking": booking.pk, "flagged": False, "reason": "refunded already"}
    booking.refund_failed_at, booking.refund_error = timezone.now(), error[:255]
    booking.save(update_fields=["refund_failed_at", "refund_error"])
    return {"booking": booking.pk, "flagged": True}


def ticket_refund_tell(refund_key: str, outcome: str) -> dict:
    """Queue the ticket holder's one email about the refund with the step: a durable row the runner
    sends after commit, retried while the mail server is down, one per refund however often the step
    runs. A booking whose holder deleted their account has no address left: nothing to send."""
    booking = _booking(refund_key)
    if not booking.email:
        return {"booking": booking.pk, "email": "no address"}
    context = {"booking": booking, "event": booking.ticket_type.event, "refunded": outcome == "refunded"}
    message = mail_message(booking.email, "events/email/refund_outcome.txt", context)
    email = email_queue(
        key=f"ticket-refund-outcome:{refund_key}",
        to=booking.email,
        user=booking.user,
        subject=message.subject,
        text=message.body,
    )
    return {"booking": booking.pk, "email": email.key}
