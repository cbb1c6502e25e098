"""Fixtures of the money-at-the-edges tests (a pytest plugin they name): people and a weekly workshop."""

import pytest

from tests.factories import events as f


@pytest.fixture
def organiser(db):
    return f.user("otto@example.org")


@pytest.fixture
def sam(db):
    return f.user("sam@example.org")


@pytest.fixture
def olga(db):
    return f.user("olga@example.org")


@pytest.fixture
def workshop(organiser):
    """A weekly workshop starting in five days."""
    calendar = f.organiser_calendar("Otto's workshops", organiser)
    return f.event(calendar, "Bread workshop", start=f.local(5, 10), end=f.local(5, 15), frequency="WEEKLY")
