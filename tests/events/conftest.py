"""Fixtures for events tests: two organisers each with a calendar, a member of the public, staff."""

import pytest

from tests.factories import events as f


@pytest.fixture
def otto(db):
    return f.user("otto@example.org")


@pytest.fixture
def olga(db):
    return f.user("olga@example.org")


@pytest.fixture
def sam(db):
    return f.user("sam@example.org")


@pytest.fixture
def staff(db):
    return f.user("staff@example.org", staff=True)


@pytest.fixture
def otto_calendar(otto):
    return f.organiser_calendar("Otto's workshops", otto)


@pytest.fixture
def olga_calendar(olga):
    return f.organiser_calendar("Olga's markets", olga)


@pytest.fixture
def workshop(otto_calendar):
    """A weekly workshop on Otto's calendar, starting in five days."""
    return f.event(
        otto_calendar, "Bread workshop", start=f.local(5, 10), end=f.local(5, 15), frequency="WEEKLY"
    )
