"""The calendar's fragments for composed pages (this week, upcoming, the next market day),
registered with cms.fragments from EventsConfig.ready() and cached per source ("events").

Each render costs a fixed number of queries whatever the number of events.
"""

from collections.abc import Mapping
from datetime import timedelta

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from cms.fragments import fragment_register

from .display import occurrences_for_display
from .selectors import events_published, occurrences_between

MARKET_CATEGORY = "markets"  # the demo's (and the cooperative's) category of market days


def _limit(params: Mapping[str, object], default: int) -> int:
    try:
        return max(1, min(int(params.get("limit") or default), 50))
    except (TypeError, ValueError):
        return default


def _filter(params: Mapping[str, object]) -> str:
    return str(params.get("filter") or "").strip()


def _events(params: Mapping[str, object]):
    """Published events, of the calendar and/or category named (the block's free "filter" is either)."""
    events = events_published()
    slug = _filter(params)
    if slug:
        events = events.filter(Q(calendar__slug=slug) | Q(detail__category__slug=slug))
    if params.get("calendar"):
        events = events.filter(calendar__slug=params["calendar"])
    if params.get("category"):
        events = events.filter(detail__category__slug=params["category"])
    return events


def _events_html(heading: str, occurrences: list, empty: str) -> str:
    return render_to_string(
        "events/fragments/events.html",
        {"heading": heading, "occurrences": occurrences_for_display(occurrences), "empty": empty},
    )


def events_this_week(params: Mapping[str, object]) -> str:
    now = timezone.now()
    found = occurrences_between(_events(params), now, now + timedelta(days=7))[: _limit(params, 8)]
    return _events_html(str(params.get("heading") or "This week"), found, "Nothing on this week.")


def events_upcoming(params: Mapping[str, object]) -> str:
    now = timezone.now()
    found = occurrences_between(_events(params), now, now + timedelta(days=366))[: _limit(params, 5)]
    return _events_html(str(params.get("heading") or "Coming up"), found, "No events coming up.")


def market_day_next(params: Mapping[str, object]) -> str:
    now = timezone.now()
    category = _filter(params) or MARKET_CATEGORY
    events = events_published().filter(detail__category__slug=category)
    found = occurrences_between(events, now, now + timedelta(days=366))[:1]
    return render_to_string(
        "events/fragments/market_day.html",
        {
            "heading": str(params.get("heading") or "Next market day"),
            "occurrence": occurrences_for_display(found)[0] if found else None,
            "shop_url": "/shop/",
        },
    )


# Occurrences end without any row changing: a past one must drop off within minutes.
FRAGMENT_SECONDS = 300


def fragments_register() -> None:
    for name, label, render in [
        ("events-week", "Events this week", events_this_week),
        ("events-upcoming", "Upcoming events", events_upcoming),
        ("market-day", "Next market day", market_day_next),
    ]:
        fragment_register(name, label=label, sources=["events"], render=render, seconds=FRAGMENT_SECONDS)
