"""Commerce models: SumUp payments and webhook receipts, dashboard product imports, the market's pages."""

from commerce.models.imports import ProductImport
from commerce.models.pages import MarketPage, ProducerPage
from commerce.models.payments import PaymentAttempt, PaymentRefund, WebhookReceipt

__all__ = [
    "MarketPage",
    "PaymentAttempt",
    "PaymentRefund",
    "ProducerPage",
    "ProductImport",
    "WebhookReceipt",
]
