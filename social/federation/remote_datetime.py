"""The one parser for times in other servers' JSON (published, updated, startTime, endTime).

A remote time is a claim: it may be garbage, a valid-looking but impossible date ("2024-02-30", which
Django's parse_datetime raises on), a year that overflows when moved to UTC, or a date far in the past
or future that would pin a post to either end of a timeline. Each of those answers None; the caller
decides what stands in (usually the time we received it).
"""

from datetime import UTC, datetime
from typing import Any

from django.utils.dateparse import parse_datetime

EARLIEST_YEAR, LATEST_YEAR = 1970, 2100
_MAX_LENGTH = 64  # an ISO 8601 time with fractions and an offset is about 35 characters


def remote_datetime(value: Any) -> datetime | None:
    """An aware datetime in UTC from an ISO 8601 string, naive times taken as UTC; None if unusable."""
    # ISO 8601 is printable ASCII: anything else (a NUL, another script's digits) is not a time.
    if not isinstance(value, str) or len(value) > _MAX_LENGTH:
        return None
    if not (value.isascii() and value.isprintable()):
        return None
    try:
        parsed = parse_datetime(value.strip())
        if parsed is None:
            return None
        if parsed.tzinfo is None:
            parsed = parsed.replace(tzinfo=UTC)
        parsed = parsed.astimezone(UTC)
    except (ValueError, OverflowError):  # well-formed but impossible, or out of datetime's range in UTC
        return None
    if not EARLIEST_YEAR <= parsed.year <= LATEST_YEAR:
        return None
    return parsed
