"""Path converters for numbers the site's URLs carry, bounded so a huge one is a 404, not a 500.

Django's `int` converter accepts any length of digits; a 23-digit id then reaches the database
(SQLite: "Python int too large to convert to SQLite INTEGER"; PostgreSQL: "bigint out of range")
or `datetime.fromtimestamp` (OverflowError). A converter's to_python raising ValueError makes the
pattern not match, so the request falls through to a 404. Registered from HomeConfig.ready(), before
any URLconf is built, as `<id:...>` and `<timestamp:...>`.
"""

from datetime import UTC, datetime, timedelta

BIGINT_MAX = 2**63 - 1  # the largest primary key PostgreSQL's bigint and SQLite's INTEGER hold

# A year short of datetime's own limits, so the day-long windows built around a date still fit.
_TIMESTAMP_MIN = int((datetime(1, 1, 1, tzinfo=UTC) + timedelta(days=366)).timestamp())
_TIMESTAMP_MAX = int((datetime(9999, 12, 31, tzinfo=UTC) - timedelta(days=366)).timestamp())


class IdConverter:
    """A database id: 1 to BIGINT_MAX."""

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not 0 < number <= BIGINT_MAX:
            raise ValueError(f"id out of range: {value}")
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


class TimestampConverter:
    """Seconds since the epoch (UTC), within the years a datetime can hold."""

    regex = "-?[0-9]{1,12}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if not _TIMESTAMP_MIN <= number <= _TIMESTAMP_MAX:
            raise ValueError(f"timestamp out of range: {value}")
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


def converters_register() -> None:
    from django.urls import register_converter

    register_converter(IdConverter, "id")
    register_converter(TimestampConverter, "timestamp")
