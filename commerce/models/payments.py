"""A SumUp payment attempt for a frozen basket, the refunds sent back through SumUp, and the webhook
deliveries we have already seen."""

import uuid

from django.conf import settings
from django.db import models


class PaymentAttempt(models.Model):
    """One SumUp hosted checkout for one frozen basket; holds what placing the order later needs.

    The order is placed from this row (by the shopper's return or by SumUp's webhook, whichever
    comes first), so it stores the checkout choices the session held. Stock is reserved when the
    attempt starts and released when it fails, expires (at `valid_until`, which SumUp is told too)
    or is cancelled. Money paid that cannot become an order is refunded (PaymentRefund) and the
    attempt is flagged for staff with the reason in `note`.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Waiting for payment"
        PLACED = "placed", "Paid, order placed"
        FAILED = "failed", "Payment failed"
        EXPIRED = "expired", "Checkout expired"
        CANCELLED = "cancelled", "Cancelled by the shopper"
        REFUNDING = "refunding", "Paid, no order; refund under way"
        REFUNDED = "refunded", "Paid, no order; refunded"
        FLAGGED = "flagged", "Needs staff attention"

    OPEN_STATES = (State.PENDING,)

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
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING, db_index=True)
    remote_status = models.CharField(max_length=16, blank=True)
    transaction_id = models.CharField(max_length=64, blank=True)
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


class PaymentRefund(models.Model):
    """One refund through SumUp, recorded before it is sent: `key` names why it is owed (the
    attempt that placed no order, a cancelled ticket, a dashboard form) and is sent to SumUp as the
    Idempotency-Key, so a retry after a crash or a duplicate task refunds once."""

    class State(models.TextChoices):
        PENDING = "pending", "To send"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Refunded"
        FAILED = "failed", "Gave up; staff must refund by hand"

    attempt = models.ForeignKey(PaymentAttempt, on_delete=models.PROTECT, related_name="refunds")
    key = models.CharField(max_length=100, unique=True)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    reason = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING, db_index=True)
    tries = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=255, blank=True)
    sumup_refund_id = models.CharField(max_length=64, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.key} {self.amount} ({self.state})"


class WebhookReceipt(models.Model):
    """A verified SumUp webhook delivery, kept by event id so a replay is recognised and ignored."""

    event_id = models.CharField(max_length=100, unique=True)
    event_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64, db_index=True)
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"
