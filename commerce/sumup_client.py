"""The one place that builds a SumUp SDK client from settings (real API in production, our fake in dev)."""

from decimal import ROUND_HALF_UP, Decimal

import httpx
from django.conf import settings
from sumup import Sumup

from edge.httpx_transport import EdgeTransport

# SumUp's answers are a checkout or a refund: a few kilobytes. More is a fault, not a payment.
SUMUP_MAX_RESPONSE_BYTES = 1_000_000


class SumUpNotConfigured(RuntimeError):
    pass


def sumup_client() -> Sumup:
    if not (settings.SUMUP_API_KEY and settings.SUMUP_MERCHANT_CODE):
        raise SumUpNotConfigured("SUMUP_API_KEY and SUMUP_MERCHANT_CODE must be set to take payments")
    client = Sumup(api_key=settings.SUMUP_API_KEY, base_url=settings.SUMUP_API_URL)
    # The SDK takes no transport, so its own httpx client is swapped for one that sends through the
    # edge: one deadline per call (SUMUP_TIMEOUT) over connect and every read, a size cap, and the
    # edge's address check on the host we configured. The SDK's headers (key, version) are kept.
    sdk_client = client._client
    client._client = httpx.Client(
        base_url=sdk_client.base_url,
        headers=sdk_client.headers,
        transport=EdgeTransport(
            deadline_seconds=float(settings.SUMUP_TIMEOUT), max_bytes=SUMUP_MAX_RESPONSE_BYTES
        ),
    )
    sdk_client.close()
    return client


def to_major_units(amount: Decimal) -> float:
    """The SDK speaks floats in major units; money stays Decimal until this boundary."""
    return float(amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def from_major_units(amount: float | None) -> Decimal:
    return Decimal(str(amount or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
