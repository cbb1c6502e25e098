"""Commerce models: SumUp payment attempts and webhook receipts, plus the market's Wagtail pages."""

from commerce.models.pages import MarketPage, ProducerPage
from commerce.models.payments import PaymentAttempt, WebhookReceipt

__all__ = ["MarketPage", "PaymentAttempt", "ProducerPage", "WebhookReceipt"]
