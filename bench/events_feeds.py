"""Benchmark: iCal feed generation and occurrence expansion for a calendar of 500 recurring events, and a
year of one weekly event through the occurrences API.

    .venv/bin/python bench/events_feeds.py            # SQLite (var/test-events-bench.sqlite3)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop_events .venv/bin/python bench/events_feeds.py

It uses its own test database (created once with keepdb), builds its data in a transaction that it rolls
back, and prints numbers.
"""

import os
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["TEST_DB_TAG"] = "events-bench"
os.environ.pop("REDIS_URL", None)

# A head start: copy the migrated SQLite test database of the events suite when there is one.
_bench_db, _suite_db = ROOT / "var/test-events-bench.sqlite3", ROOT / "var/test-events.sqlite3"
if not os.environ.get("DATABASE_URL") and not _bench_db.exists() and _suite_db.exists():
    shutil.copy(_suite_db, _bench_db)

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

RUNS = int(os.environ.get("BENCH_RUNS", "10"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "500"))


def timed(fn, runs=RUNS) -> tuple[str, int]:
    samples, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            fn()
            samples.append((time.perf_counter() - started) * 1000)
        queries = len(captured)
    ordered = sorted(samples)
    p90 = ordered[max(int(len(ordered) * 0.9) - 1, 0)]
    return f"median {statistics.median(ordered):8.2f} ms   p90 {p90:8.2f} ms   queries {queries:3d}", queries


def _index_page(calendar, slug: str):
    """An events index page for one calendar under the default site's root (rolled back with the rest)."""
    from wagtail.models import Site

    from events.pages import EventIndexPage

    root = Site.objects.get(is_default_site=True).root_page
    page = EventIndexPage(title=slug, slug=f"{slug}-{time.time_ns()}", calendar=calendar)
    return root.add_child(instance=page)


def main() -> None:
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, keepdb=True)
    from events import calendars, cancellation
    from events.ical import calendar_ical
    from events.selectors import events_published, occurrences_between

    print(f"database: {connection.vendor}")
    with transaction.atomic():
        big = calendars.calendar_create(name=f"Bench {time.time_ns()}")
        base = datetime(2027, 1, 4, 9)
        for i in range(EVENTS):
            start = base + timedelta(days=i % 28, hours=i % 8)
            event = calendars.event_create(
                calendar=big,
                spec=calendars.EventSpec(
                    title=f"Event {i}",
                    start=start,
                    end=start + timedelta(hours=2),
                    frequency=["WEEKLY", "MONTHLY", "DAILY", ""][i % 4],
                    location="Hall",
                ),
            )
            if i % 10 == 0 and event.rule_id:
                cancellation.occurrence_cancel(event=event, original_start=event.start + timedelta(days=35))
        events = events_published().filter(calendar=big)
        print(f"{EVENTS} events (weekly, monthly, daily, one-off; every 10th with a cancelled date)")
        line, _ = timed(lambda: calendar_ical(events.all(), name="bench"))
        print(f"  iCal feed generation           {line}")
        size = len(calendar_ical(events, name="bench"))
        print(f"  feed size                      {size / 1024:8.1f} KiB")
        window = (datetime(2027, 3, 1, tzinfo=UTC), datetime(2027, 4, 1, tzinfo=UTC))
        count = len(occurrences_between(events, *window))
        line, _ = timed(lambda: occurrences_between(events.all(), *window))
        print(f"  occurrences in a month ({count:5d}) {line}")

        client = Client()
        line, _ = timed(
            lambda: client.get(
                "/events/api/occurrences",
                {"start": "2027-03-01T00:00:00Z", "end": "2027-03-08T00:00:00Z", "calendar_slug": big.slug},
            )
        )
        print(f"  occurrences API, one week      {line}")
        month_page = _index_page(big, "bench-month")
        month_url = month_page.url + "month/?month=2027-03"
        response = client.get(month_url)
        shown = response.content.decode().count('class="event-occurrence"')
        line, _ = timed(lambda: client.get(month_url))
        print(f"  month view page ({shown:5d} shown)  {line}")

        weekly_calendar = calendars.calendar_create(name=f"Weekly {time.time_ns()}")
        calendars.event_create(
            calendar=weekly_calendar,
            spec=calendars.EventSpec(
                title="Market", start=base, end=base + timedelta(hours=4), frequency="WEEKLY"
            ),
        )
        weekly = events_published().filter(calendar=weekly_calendar)
        year = (datetime(2027, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))
        line, _ = timed(lambda: occurrences_between(weekly.all(), *year), runs=RUNS * 3)
        print(f"a year of one weekly event, expansion only                 {line}")
        params = {
            "start": "2027-01-01T00:00:00Z",
            "end": "2028-01-01T00:00:00Z",
            "calendar_slug": weekly_calendar.slug,
        }
        response = client.get("/events/api/occurrences", params)
        line, _ = timed(lambda: client.get("/events/api/occurrences", params), runs=RUNS * 3)
        print(f"a year of one weekly event ({len(response.json())} occurrences) through the API  {line}")
        weekly_page = _index_page(weekly_calendar, "bench-weekly")
        for label, url in (
            ("list view page, 90 days from 1 Jan", weekly_page.url + "?from=2027-01-01"),
            ("month view page, March", weekly_page.url + "month/?month=2027-03"),
        ):
            assert client.get(url).status_code == 200
            line, _ = timed(lambda url=url: client.get(url), runs=RUNS * 3)
            print(f"a weekly event, {label:34s}  {line}")
        transaction.set_rollback(True)


if __name__ == "__main__":
    main()
