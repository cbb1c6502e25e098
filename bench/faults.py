"""Fault drill: Redis restarted (every queued message lost) in the middle of a 1,000-inbox fan-out.

Needs PostgreSQL and the redis-server binary; it starts a Redis of its own (no persistence) so the
machine's Redis is never touched, e.g.
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop_faults .venv/bin/python bench/faults.py
It migrates the database, starts the verifying receiver of bench/federation_receiver.py (1,000
loopback addresses 127.0.x.y) and two Celery workers (thread pool), records one activity for 1,000
inboxes, restarts Redis once a third of them have it, then sends the durable sweep (what beat
sends every 30 s) and prints the time from the restart to full delivery and whether every inbox got
the activity exactly once.
"""

import os
import sys
import time

from fanout_stack import (
    INBOXES,
    THREADS,
    WORKERS,
    django_migrated,
    loopback_inboxes,
    received,
    receiver_and_workers,
)

RESTART_AT = int(os.environ.get("BENCH_RESTART_AT", INBOXES // 3))


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL (PostgreSQL): the drill measures the real setup")
    from tests.conftest import free_port
    from tests.workers import RedisServer

    redis_server = RedisServer(free_port())
    redis_server.start()
    os.environ["REDIS_URL"] = redis_server.url  # this process and the workers share the drill's Redis
    try:
        app = django_migrated()
        from social.federation.models import Host

        port = free_port()
        Host.objects.filter(domain__startswith="127.").delete()  # and their deliveries: a clean slate
        with receiver_and_workers(app, port, "faults"):
            drill(app, redis_server, port)
    finally:
        redis_server.stop()


def drill(app, redis_server, port: int) -> None:
    from django.db.models import Count

    from durable.tasks import sweep as durable_sweep_task
    from social.federation.actors import local_actor_get
    from social.federation.delivery import activity_send
    from social.federation.models import Delivery
    from tests.factories.federation import note_create

    activity_id, data = note_create()
    started = time.monotonic()
    activity_send(
        actor=local_actor_get("blog"), data=data, inboxes=loopback_inboxes(port), activity_id=activity_id
    )
    deliveries = Delivery.objects.filter(activity__activity_id=activity_id)
    while received(port)[0] < RESTART_AT and time.monotonic() - started < 120:
        time.sleep(0.02)
    redis_server.restart()
    restarted = time.monotonic()
    lost = deliveries.filter(state="pending").count()
    app._pool, app.amqp._producer_pool = None, None  # this process's connections died with the old Redis
    durable_sweep_task.delay()  # what beat sends every 30 s
    while deliveries.filter(state="pending").exists() and time.monotonic() - restarted < 300:
        time.sleep(0.05)
    recovered = time.monotonic() - restarted
    time.sleep(1)  # a delivery sent twice would arrive now
    ok, rejected, hosts = received(port)
    states = dict(deliveries.values_list("state").annotate(n=Count("id")))
    print(f"inboxes={INBOXES} workers={WORKERS} x {THREADS} threads; restart after {RESTART_AT}")
    print(f"Redis restarted {restarted - started:.2f} s into the fan-out; {lost} deliveries were pending")
    print(f"recovered (every delivery recorded) {recovered:.2f} s after the restart, sweep sent at once")
    print(f"delivery states={states}")
    print(f"receiver: verified POSTs={ok} rejected={rejected} distinct inboxes={hosts}")
    once = ok == hosts == INBOXES and not rejected
    print("every inbox got the activity exactly once" if once else "NOT exactly once")


if __name__ == "__main__":
    main()
