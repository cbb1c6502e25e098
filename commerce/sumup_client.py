"""The one place that builds a SumUp SDK client from settings (real API in production, our fake in dev)."""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from sumup import Sumup


class SumUpNotConfigured(RuntimeError):
    pass


def sumup_client() -> Sumup:
    if not (settings.SUMUP_API_KEY and settings.SUMUP_MERCHANT_CODE):
        raise SumUpNotConfigured("SUMUP_API_KEY and SUMUP_MERCHANT_CODE must be set to take payments")
    return Sumup(
        api_key=settings.SUMUP_API_KEY, base_url=settings.SUMUP_API_URL, timeout=settings.SUMUP_TIMEOUT
    )


def to_major_units(amount: Decimal) -> float:
    """The SDK speaks floats in major units; money stays Decimal until this boundary."""
    return float(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def from_major_units(amount: float | None) -> Decimal:
    return Decimal(str(amount or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
