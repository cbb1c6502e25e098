"""SumUp payments as durable state machines: a payment attempt for a frozen basket, the refunds sent back
through SumUp, and the webhook deliveries we have already seen.

Every state a payment or a refund can be in is declared here, in the two graphs below, with the label
a shop assistant sees (the dashboard's "Payments needing attention", and the admin's State machines page).
The one runner (`durable/`) works the states that have a handler: it leases the row, calls the handler
outside any transaction (that is where SumUp is called), then records the next state, a retry under
the state's policy, or `flagged` / `failed` when the policy is used up.
"""

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse

from durable.graph import State, StateGraph
from durable.models import StatefulModel, state_field
from durable.retry import RetryPolicy

# SumUp down or slow: try again 30 s, 1, 2, 4 … 30 minutes apart, about five hours in all, before
# staff are asked to look (the shopper may have paid: nothing is released on our own).
SUMUP_TROUBLE = RetryPolicy(max_attempts=14, base_seconds=30, factor=2, cap_seconds=1800)


class PaymentAttemptGraph(StateGraph):
    """From "Place order" to an order, or to money given back, or to nothing paid at all.

    pending ─▶ paid ─▶ placed                    (the common path)
       │        └────▶ refunding ─▶ refunded     (paid, but the order could not be placed)
       ├──▶ returned ─▶ paid / cancelled         (the shopper came back: SumUp is asked which)
       └──▶ declined / expired / start_failed    (nothing was paid; the stock is released)
    declined / expired / cancelled / start_failed ─▶ refunding
                                                 (SumUp says it was paid after all: refunded, never placed)
    Any worked state ends in `flagged` if the runner gives up on it.

    The nothing-paid states rest without a handler: only news from SumUp (a webhook, the shopper's
    return) wakes them, and they move on only when SumUp itself, asked again, says the checkout was
    paid (commerce.payments.payment_paid_late). The order is never placed then: the stock and the
    basket were given back and the shopper told no order was placed, so the money goes back instead.
    """

    pending = State(
        initial=True,
        handler="payment_check",
        timeout=60,  # one SumUp read (SUMUP_TIMEOUT, 15 s) and a short transaction
        retry=SUMUP_TROUBLE,
        transitions=["paid", "returned", "declined", "expired", "start_failed", "flagged"],
        label="Waiting for the shopper to pay at SumUp",
    )
    returned = State(
        handler="payment_check_returned",
        timeout=60,
        retry=SUMUP_TROUBLE,
        transitions=["paid", "declined", "expired", "cancelled", "flagged"],
        label="Shopper came back; asking SumUp whether they paid",
    )
    paid = State(
        handler="payment_place",
        timeout=120,  # placing an order is one database transaction; no SumUp call
        retry=RetryPolicy(max_attempts=5, base_seconds=10, factor=3, cap_seconds=600),
        transitions=["placed", "refunding", "flagged"],
        label="Paid; placing the order",
    )
    refunding = State(
        handler="payment_refund_follow",
        timeout=120,  # sends its refund (one SumUp call) when it is due
        retry=SUMUP_TROUBLE,
        transitions=["refunded", "flagged"],
        label="Paid, but the order could not be placed; refunding",
    )
    placed = State(terminal=True, label="Paid; order placed")
    refunded = State(terminal=True, label="Paid, order not placed; refunded in full")
    # Not terminal: a payment SumUp accepts late (after we read the checkout as failed or expired)
    # moves them to `refunding`; nothing else moves them.
    declined = State(transitions=["refunding"], label="Payment declined; nothing paid")
    expired = State(transitions=["refunding"], label="Checkout expired unpaid")
    cancelled = State(transitions=["refunding"], label="Shopper left without paying")
    start_failed = State(transitions=["refunding"], label="SumUp could not be reached; nothing paid")
    flagged = State(terminal=True, failure=True, label="Needs staff attention")


class PaymentAttempt(StatefulModel):
    """One SumUp hosted checkout for one frozen basket; holds what placing the order later needs.

    The order is placed from this row by the runner (woken by the shopper's return or by SumUp's
    webhook, whichever comes first, or by the sweep at the checkout's validity), so it stores the
    checkout choices the session held. Stock is reserved when the attempt starts and released when
    nothing was paid. Money paid that cannot become an order is refunded (PaymentRefund) and the
    attempt is flagged for staff with the reason in `note`.
    """

    state_graph = PaymentAttemptGraph
    # States in which the shopper may still pay or the order is being placed: the basket's stock,
    # its single-use vouchers and its ticket places are held for it.
    HOLDING_STATES = ("pending", "returned", "paid")
    # Nothing was paid: the shopper is told so and gets the basket back.
    UNPAID_STATES = ("declined", "expired", "cancelled", "start_failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    basket = models.ForeignKey("basket.Basket", on_delete=models.PROTECT, related_name="payment_attempts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    guest_email = models.EmailField(blank=True)
    order_number = models.CharField(max_length=128, db_index=True)
    checkout_reference = models.CharField(max_length=64, unique=True)
    sumup_checkout_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    hosted_checkout_url = models.URLField(max_length=500, blank=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    currency = models.CharField(max_length=3)
    shipping_method_code = models.CharField(max_length=128)
    shipping_address = models.JSONField(default=dict, blank=True)
    # {stockrecord id: quantity} reserved for this attempt; emptied when released
    reserved_stock = models.JSONField(default=dict, blank=True)
    state = state_field(PaymentAttemptGraph)
    remote_status = models.CharField(max_length=16, blank=True)
    transaction_id = models.CharField(max_length=64, blank=True)
    # What SumUp says was paid, recorded when it says PAID; the order is placed only if it matches.
    paid_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    paid_currency = models.CharField(max_length=3, blank=True)
    order = models.OneToOneField(
        "order.Order", null=True, blank=True, on_delete=models.SET_NULL, related_name="payment_attempt"
    )
    note = models.TextField(blank=True)
    # Staff should look at it: paid without an order (refunded or not), or an amount mismatch.
    needs_attention = models.BooleanField(default=False, db_index=True)
    # After this SumUp refuses payment and we release the reserved stock (null: attempts made before).
    valid_until = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # A basket becomes at most one order, however many attempts and notifications arrive.
            models.UniqueConstraint(
                fields=["order_number"],
                condition=models.Q(state="placed"),
                name="commerce_one_placed_attempt_per_order_number",
            )
        ]

    def __str__(self) -> str:
        return f"{self.checkout_reference} ({self.state})"

    def state_log_keys(self) -> list[str]:
        """Its settlement flow's key (commerce.payments.settlement_object_key)."""
        return [f"payment:{self.pk}"]

    def state_admin_url(self) -> str:
        """The order it placed, in Oscar's dashboard (the state machines page links to it)."""
        if self.order_id:
            return reverse("dashboard:order-detail", kwargs={"number": self.order_number})
        return ""

    def state_failed(self, error: str, now: datetime) -> None:
        """The runner gave up (SumUp unreachable for hours, or workers kept dying on it): staff look."""
        from commerce.payments import payment_flag

        payment_flag(self.pk, f"The payment could not be settled automatically ({error}).")

    # Handlers of the graph's states (run by durable.runner outside any transaction).
    def payment_check(self, now: datetime) -> str | None:
        from commerce.payments import payment_check

        return payment_check(self, now)

    def payment_check_returned(self, now: datetime) -> str | None:
        from commerce.payments import payment_check_returned

        return payment_check_returned(self, now)

    def payment_place(self, now: datetime) -> str:
        from commerce.payments import payment_place

        return payment_place(self, now)

    def payment_refund_follow(self, now: datetime) -> str | None:
        from commerce.payments import payment_refund_follow

        return payment_refund_follow(self, now)


class PaymentRefundGraph(StateGraph):
    owed = State(
        initial=True,
        handler="refund_send",
        timeout=120,  # one SumUp call (SUMUP_TIMEOUT, 15 s) and its bookkeeping, with room to spare
        # SumUp trouble for about an hour and a half: 1, 2, 4 … 60 minutes apart. One more try than a
        # ticket refund's own policy, so the ticket (which asks for its refund) decides first.
        retry=RetryPolicy(max_attempts=8, base_seconds=60, factor=2, cap_seconds=3600),
        transitions=["sent", "failed"],
        label="To send to SumUp",
    )
    sent = State(terminal=True, label="Refunded")
    failed = State(terminal=True, failure=True, label="Gave up; staff must refund by hand")


class PaymentRefund(StatefulModel):
    """One refund through SumUp, recorded before it is sent: `key` names why it is owed (the
    attempt that placed no order, a cancelled ticket, a dashboard form) and is sent to SumUp as the
    Idempotency-Key, so a retry after a crash or a duplicate sender refunds once."""

    state_graph = PaymentRefundGraph

    attempt = models.ForeignKey(PaymentAttempt, on_delete=models.PROTECT, related_name="refunds")
    key = models.CharField(max_length=100, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=255, blank=True)
    state = state_field(PaymentRefundGraph)
    sumup_refund_id = models.CharField(max_length=64, blank=True)
    # Why it will not be sent automatically (SumUp's refusal, or the runner's last error), for staff.
    error = models.CharField(max_length=255, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key} {self.amount} ({self.state})"

    def state_log_keys(self) -> list[str]:
        """The settlement flow of the payment it gives money back from, which owed it (or not)."""
        return [f"payment:{self.attempt_id}"]

    def state_failed(self, error: str, now: datetime) -> None:
        """The runner gave up on its own: its payment_refund flow flags the attempt so staff refund by
        hand, and tells the shopper."""
        from commerce.refund_outcome import refund_outcome_start

        refund_outcome_start(self.key, "failed", error)

    def refund_send(self, now: datetime) -> str:
        from commerce.refunds import refund_send

        return refund_send(self, now)


class WebhookReceipt(models.Model):
    """A verified SumUp webhook delivery, kept by event id so a replay is recognised and ignored."""

    event_id = models.CharField(max_length=100, unique=True)
    event_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, db_index=True)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
