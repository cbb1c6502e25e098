"""Benchmark: the hub's timeline and notifications with a big history, and inbound posts per second.

    .venv/bin/python bench/hub_timeline.py            # SQLite (var/test-hub-bench.sqlite3)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop_hub .venv/bin/python bench/hub_timeline.py

It uses its own test database (created once with keepdb), fills it with BENCH_ITEMS timeline items
from 200 followed accounts and 2,000 notifications, then prints: the timeline's first and last page
and the notifications screen as an editor's request (time and query count), the admin dashboard
with the unread count in the menu, and inbound Create activities handled per second.
"""

import os
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["TEST_DB_TAG"] = "hub-bench"
os.environ.pop("REDIS_URL", None)

_bench_db, _suite_db = ROOT / "var/test-hub-bench.sqlite3", ROOT / "var/test-hub.sqlite3"
if not os.environ.get("DATABASE_URL") and not _bench_db.exists() and _suite_db.exists():
    shutil.copy(_suite_db, _bench_db)

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

ITEMS = int(os.environ.get("BENCH_ITEMS", "10000"))
RUNS = int(os.environ.get("BENCH_RUNS", "20"))
INBOUND = int(os.environ.get("BENCH_INBOUND", "1000"))


def ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p90 = ordered[max(int(len(ordered) * 0.9) - 1, 0)]
    return f"median {statistics.median(ordered):7.2f} ms   p90 {p90:7.2f} ms"


def timed_get(client: Client, path: str) -> tuple[list[float], int]:
    samples, queries = [], 0
    for _ in range(RUNS):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(path)
            samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        queries = len(captured)
    return samples, queries


def main() -> None:
    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, keepdb=True)
    from django.contrib.auth.models import Permission

    from accounts.models import User
    from social.federation.actors import local_actor_get
    from social.federation.models import RemoteActor
    from social.hub.inbound import activity_handle
    from social.hub.models import Following, Notification, ReadMarker, TimelineItem

    TimelineItem.objects.all().delete()
    Notification.objects.all().delete()
    Following.objects.all().delete()
    RemoteActor.objects.filter(domain__endswith=".bench.example").delete()

    blog = local_actor_get("blog")
    actors = RemoteActor.objects.bulk_create(
        RemoteActor(
            uri=f"https://s{n % 20}.bench.example/users/u{n}",
            domain=f"s{n % 20}.bench.example",
            username=f"u{n}",
            name=f"User {n}",
            inbox=f"https://s{n % 20}.bench.example/users/u{n}/inbox",
        )
        for n in range(200)
    )
    actors = list(RemoteActor.objects.filter(domain__endswith=".bench.example").order_by("pk"))
    Following.objects.bulk_create(
        Following(local_actor=blog, remote_actor=a, state="accepted", follow_activity_uri=f"{a.uri}#f")
        for a in actors
    )
    now = timezone.now()
    started = time.perf_counter()
    TimelineItem.objects.bulk_create(
        (
            TimelineItem(
                uri=f"{actors[n % 200].uri}/statuses/{n}",
                object_uri=f"{actors[n % 200].uri}/statuses/{n}",
                author=actors[n % 200],
                content=f"<p>Post {n} with <a href='https://x.example/'>a link</a> and some words.</p>",
                summary="cw" if n % 10 == 0 else "",
                attachments=[
                    {"url": "https://x.example/a.png", "alt": "a picture", "media_type": "image/png"}
                ]
                if n % 5 == 0
                else [],
                published=now - timezone.timedelta(seconds=n),
            )
            for n in range(ITEMS)
        ),
        batch_size=2000,
    )
    Notification.objects.bulk_create(
        (
            Notification(
                kind=["like", "boost", "follow", "mention"][n % 4],
                activity_uri=f"https://bench/a/{n}",
                local_actor=blog,
                remote_actor=actors[n % 200],
                object_uri=f"https://site/notes/{n % 50}",
            )
            for n in range(2000)
        ),
        batch_size=2000,
    )
    print(f"filled {ITEMS} timeline items and 2000 notifications in {time.perf_counter() - started:.1f} s")

    user, _ = User.objects.get_or_create(email="bench-editor@example.org")
    user.user_permissions.add(
        Permission.objects.get(codename="access_admin"), Permission.objects.get(codename="use_hub")
    )
    client = Client()
    client.force_login(user)
    last_page = (ITEMS + 19) // 20
    for label, path in [
        ("timeline, first page", "/admin/hub/"),
        (f"timeline, page {last_page}", f"/admin/hub/?page={last_page}"),
        ("admin dashboard (menu with unread count)", "/admin/"),
    ]:
        samples, queries = timed_get(client, path)
        print(f"{label:45s} {ms(samples)}   {queries} queries")
    # The notifications screen moves this editor's read marker; time it with everything unread each run.
    samples = []
    for _ in range(RUNS):
        ReadMarker.objects.filter(user=user).delete()
        started = time.perf_counter()
        assert client.get("/admin/hub/notifications/").status_code == 200
        samples.append((time.perf_counter() - started) * 1000)
    print(f"{'notifications (200 shown, grouped)':45s} {ms(samples)}")

    activities = [
        {
            "id": f"{actors[n % 200].uri}/activities/in{n}",
            "type": "Create",
            "actor": actors[n % 200].uri,
            "object": {
                "id": f"{actors[n % 200].uri}/statuses/in{n}",
                "type": "Note",
                "attributedTo": actors[n % 200].uri,
                "content": "<p>Inbound <b>post</b> <script>x()</script></p>",
                "published": now.isoformat(),
            },
        }
        for n in range(INBOUND)
    ]
    started = time.perf_counter()
    for n, activity in enumerate(activities):
        assert activity_handle(activity, actors[n % 200]) == "timeline"
    elapsed = time.perf_counter() - started
    print(f"inbound Create handled: {INBOUND / elapsed:8.0f}/s ({elapsed * 1000 / INBOUND:.2f} ms each)")

    TimelineItem.objects.all().delete()
    Notification.objects.all().delete()
    Following.objects.all().delete()
    RemoteActor.objects.filter(domain__endswith=".bench.example").delete()


if __name__ == "__main__":
    main()
