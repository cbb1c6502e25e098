"""Benchmark: one post fanned out to 10,000 followers on 1,000 distinct shared inboxes.

Needs PostgreSQL and Redis (the real setup): e.g.
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop_fed_bench REDIS_URL=redis://127.0.0.1:6379/3 \
      .venv/bin/python bench/federation_fanout.py
It migrates the database, creates the followers, starts a local verifying receiver (on 1,000 loopback
addresses 127.0.x.y) and two Celery worker processes (thread pool), publishes through the ActivityPub
transport and prints the time to full delivery, deliveries per second and worker CPU per delivery.
"""

import os
import sys
import time
import uuid

from fanout_stack import (
    INBOXES,
    THREADS,
    WORKERS,
    cpu_seconds,
    django_migrated,
    loopback_inboxes,
    received,
    receiver_and_workers,
)

FOLLOWERS = int(os.environ.get("BENCH_FOLLOWERS", 10_000))


def main() -> None:
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        sys.exit("set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark measures the real setup")
    app = django_migrated()
    from social.federation.actors import local_actor_get
    from social.federation.models import Activity, Delivery, Follow, Host, RemoteActor
    from tests.conftest import free_port

    port = free_port()
    # A clean slate of followers and deliveries for this run.
    Delivery.objects.all().delete()
    Activity.objects.all().delete()
    Follow.objects.all().delete()
    RemoteActor.objects.filter(uri__startswith="http://127.").delete()
    Host.objects.all().delete()
    blog = local_actor_get("blog")
    inboxes = loopback_inboxes(port)
    actors = RemoteActor.objects.bulk_create(
        [
            RemoteActor(
                uri=f"{inboxes[n % INBOXES].removesuffix('/inbox')}/users/u{n}",
                domain=inboxes[n % INBOXES].split("/")[2],
                username=f"u{n}",
                inbox=f"{inboxes[n % INBOXES].removesuffix('/inbox')}/users/u{n}/inbox",
                shared_inbox=inboxes[n % INBOXES],
            )
            for n in range(FOLLOWERS)
        ],
        batch_size=2000,
    )
    Follow.objects.bulk_create(
        [Follow(local_actor=blog, remote_actor=actor, state=Follow.State.ACCEPTED) for actor in actors],
        batch_size=2000,
    )
    with receiver_and_workers(app, port, "bench") as workers:
        fan_out(port, workers)


def fan_out(port: int, workers) -> None:
    from django.db.models import Count

    from social.federation.models import Delivery
    from social.federation.transport import ActivityPubTransport, OutboundActivity

    cpu_before = sum(cpu_seconds(w.pid) for w in workers)
    payload = {
        "page_id": 999_999,
        "title": "Benchmark post",
        "summary": "Fan-out benchmark",
        "body_html": "<p>" + "Lorem ipsum dolor sit amet. " * 80 + "</p>",
        "url": "http://127.0.0.1:8000/blog/benchmark/",
        "published": "2026-11-01T10:00:00+00:00",
        "updated": "2026-11-01T10:00:00+00:00",
        "tags": ["bench"],
        "authors": [],
        "hero_image": None,
    }
    activity = OutboundActivity(
        activity_id=str(uuid.uuid4()),
        activity_type="Create",
        actor="blog",
        object_type="Article",
        object_key="page:999999",
        payload=payload,
    )
    started = time.monotonic()
    receipt = ActivityPubTransport().deliver(activity)
    recorded = time.monotonic() - started
    deliveries = Delivery.objects.filter(activity__activity_id=activity.activity_id)
    while deliveries.filter(state="pending").exists():
        time.sleep(0.05)
        if time.monotonic() - started > 120:
            break
    elapsed = time.monotonic() - started
    cpu = sum(cpu_seconds(w.pid) for w in workers) - cpu_before
    states = dict(deliveries.values_list("state").annotate(n=Count("id")))
    ok, rejected, hosts = received(port)
    print(f"followers={FOLLOWERS} shared inboxes={INBOXES} workers={WORKERS} processes x {THREADS} threads")
    print(f"deliveries scheduled={receipt.deliveries_scheduled} states={states}")
    print(f"receiver: verified POSTs={ok} rejected={rejected} distinct hosts={hosts}")
    print(f"recording + fan-out rows: {recorded:.2f} s")
    print(f"fully delivered in {elapsed:.2f} s -> {ok / elapsed:.0f} deliveries/s "
          f"({FOLLOWERS / elapsed:.0f} followers reached/s)")  # fmt: skip
    print(f"worker CPU: {cpu:.2f} s total, {cpu / max(ok, 1) * 1000:.2f} ms per delivery")
    # On a machine shared with other work the CPU figures grow with its load: this gauge says by how much.
    print(f"load average {os.getloadavg()[0]:.1f}; one RSA-2048 signature took {rsa_sign_ms():.2f} ms CPU")


def rsa_sign_ms(count: int = 200) -> float:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    from social.federation.actors import local_actor_get
    from social.federation.keys import private_key_load

    key = private_key_load(local_actor_get("blog").private_key_pem)
    started = time.process_time()
    for _ in range(count):
        key.sign(b"signature base", padding.PKCS1v15(), hashes.SHA256())
    return (time.process_time() - started) / count * 1000


if __name__ == "__main__":
    main()
