"""Times from other servers: one parser, None for anything unusable, naive times in UTC."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from social.federation.remote_datetime import remote_datetime


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-11-27T01:00:00Z", datetime(2026, 11, 27, 1, tzinfo=UTC)),
        ("2026-11-27T01:00:00", datetime(2026, 11, 27, 1, tzinfo=UTC)),  # naive: taken as UTC
        ("2026-11-27T03:30:00+02:30", datetime(2026, 11, 27, 1, tzinfo=UTC)),
        (" 2026-11-27T01:00:00.123456Z ", datetime(2026, 11, 27, 1, 0, 0, 123456, tzinfo=UTC)),
        ("1970-01-01T00:00:00Z", datetime(1970, 1, 1, tzinfo=UTC)),
    ],
)
def test_remote_datetime_iso_times_parsed_to_utc(value, expected):
    parsed = remote_datetime(value)
    assert parsed == expected and parsed.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        "yesterday",
        "2024-02-30T10:00:00Z",  # well-formed, impossible: Django's parse_datetime raises on it
        "2024-13-01T00:00:00Z",
        "2024-01-01T25:00:00Z",
        "2024-01-01T00:00:00+25:00",
        "0001-01-01T00:00:00+01:00",  # moved to UTC it falls before year 1
        "9999-12-31T23:59:59-01:00",  # moved to UTC it passes year 9999
        "1969-12-31T23:59:59Z",
        "2101-01-01T00:00:00Z",
        "2026-11-27T01:00:00Z" + " " * 100,
        "2026-11-27T01:00:00Z\x00",
        1764205200,
        True,
        ["2026-11-27T01:00:00Z"],
        {"@value": "2026-11-27T01:00:00Z"},
    ],
)
def test_remote_datetime_hostile_values_none(value):
    assert remote_datetime(value) is None


def test_remote_datetime_offset_kept_as_the_same_instant():
    east = remote_datetime("2026-06-01T12:00:00+14:00")
    assert east == datetime(2026, 6, 1, 12, tzinfo=timezone(timedelta(hours=14)))
