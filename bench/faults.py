"""Fault drill: Redis restarted (every queued message lost) in the middle of a 1,000-inbox fan-out.

Needs PostgreSQL and the redis-server binary; it starts a Redis of its own (no persistence) so the
machine's Redis is never touched, e.g.
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop_faults .venv/bin/python bench/faults.py
It migrates the database, starts the verifying receiver of bench/federation_receiver.py (1,000
loopback addresses 127.0.x.y) and two Celery workers (thread pool), records one activity for 1,000
inboxes, restarts Redis once a third of them have it, then sends the deliveries-due sweep (what beat
sends every minute) and prints the time from the restart to full delivery and whether every inbox got
the activity exactly once.
"""

import os
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")  # DEBUG off
os.environ["EDGE_ALLOWED_NETWORKS"] = "127.0.0.0/8"

INBOXES = int(os.environ.get("BENCH_INBOXES", 1_000))
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))
THREADS = int(os.environ.get("BENCH_WORKER_THREADS", 8))
RESTART_AT = int(os.environ.get("BENCH_RESTART_AT", INBOXES // 3))


def main() -> None:
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("set DATABASE_URL (PostgreSQL): the drill measures the real setup")
    from tests.conftest import free_port
    from tests.workers import RedisServer

    redis_server = RedisServer(free_port())
    redis_server.start()
    os.environ["REDIS_URL"] = redis_server.url  # this process and the workers share the drill's Redis
    import django

    django.setup()
    from django.core.management import call_command
    from django.db.models import Count

    call_command("migrate", verbosity=0)
    from config.celery import app

    app.conf.task_always_eager = False  # the workers deliver, as in production
    from social.federation import ids
    from social.federation.actors import local_actor_get
    from social.federation.delivery import activity_send
    from social.federation.models import Delivery, Host
    from social.federation.tasks import deliveries_due_task

    port = free_port()
    Host.objects.filter(domain__startswith="127.").delete()  # and their deliveries: a clean slate
    blog = local_actor_get("blog")
    inboxes = [f"http://127.0.{1 + n // 250}.{1 + n % 250}:{port}/inbox" for n in range(INBOXES)]
    with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as pem:
        pem.write(blog.public_key_pem)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    receiver = subprocess.Popen(
        [sys.executable, str(ROOT / "bench/federation_receiver.py"), str(port),
         ids.actor_key_id("blog"), ids.actor_id("blog"), pem.name],
        env=env,
    )  # fmt: skip

    def received() -> tuple[int, int, int]:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/count") as response:
            ok, rejected, hosts = map(int, response.read().split())
        return ok, rejected, hosts

    def worker_command(n: int) -> list[str]:
        quiet = ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"]
        name = f"faults{n}-{uuid.uuid4().hex[:6]}@%h"
        return [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=threads",
                "-c", str(THREADS), "-n", name, *quiet]  # fmt: skip

    workers = [subprocess.Popen(worker_command(n), env=env, cwd=ROOT) for n in range(WORKERS)]
    try:
        for _ in range(240):
            if len(app.control.ping(timeout=0.5) or []) >= WORKERS:
                break
        else:
            sys.exit("the workers did not come up")
        activity_id = f"{ids.actor_id('blog')}/activities/{uuid.uuid4()}"
        data = {
            "@context": "https://www.w3.org/ns/activitystreams",
            "id": activity_id,
            "type": "Create",
            "actor": ids.actor_id("blog"),
            "object": {"id": f"{activity_id}/note", "type": "Note", "content": "<p>Fault drill</p>"},
        }
        started = time.monotonic()
        activity_send(actor=blog, data=data, inboxes=inboxes, activity_id=activity_id)
        deliveries = Delivery.objects.filter(activity__activity_id=activity_id)
        while received()[0] < RESTART_AT and time.monotonic() - started < 120:
            time.sleep(0.02)
        redis_server.restart()
        restarted = time.monotonic()
        lost = deliveries.filter(state="pending").count()
        app._pool, app.amqp._producer_pool = None, None  # this process's connections died with the old Redis
        deliveries_due_task.delay()  # what beat sends every minute
        while deliveries.filter(state="pending").exists() and time.monotonic() - restarted < 300:
            time.sleep(0.05)
        recovered = time.monotonic() - restarted
        time.sleep(1)  # a delivery sent twice would arrive now
        ok, rejected, hosts = received()
        states = dict(deliveries.values_list("state").annotate(n=Count("id")))
        print(f"inboxes={INBOXES} workers={WORKERS} x {THREADS} threads; restart after {RESTART_AT}")
        print(f"Redis restarted {restarted - started:.2f} s into the fan-out; {lost} deliveries were pending")
        print(f"recovered (every delivery recorded) {recovered:.2f} s after the restart, sweep sent at once")
        print(f"delivery states={states}")
        print(f"receiver: verified POSTs={ok} rejected={rejected} distinct inboxes={hosts}")
        once = ok == hosts == INBOXES and not rejected
        print("every inbox got the activity exactly once" if once else "NOT exactly once")
    finally:
        for process in [*workers, receiver]:
            process.terminate()
        for process in [*workers, receiver]:
            process.wait(timeout=60)
        redis_server.stop()
        os.unlink(pem.name)


if __name__ == "__main__":
    main()
