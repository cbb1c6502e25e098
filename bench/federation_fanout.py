"""Benchmark: one post fanned out to 10,000 followers on 1,000 distinct shared inboxes.

Needs PostgreSQL and Redis (the real setup): e.g.
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop_fed_bench REDIS_URL=redis://127.0.0.1:6379/3 \
      .venv/bin/python bench/federation_fanout.py
It migrates the database, creates the followers, starts a local verifying receiver (on 1,000 loopback
addresses 127.0.x.y) and two Celery worker processes (thread pool), publishes through the ActivityPub
transport and prints the time to full delivery, deliveries per second and worker CPU per delivery.
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

FOLLOWERS = int(os.environ.get("BENCH_FOLLOWERS", 10_000))
INBOXES = int(os.environ.get("BENCH_INBOXES", 1_000))
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))
THREADS = int(os.environ.get("BENCH_WORKER_THREADS", 8))  # each worker process overlaps its I/O waits


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        sys.exit("set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark measures the real setup")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from config.celery import app

    # config.settings.test runs tasks eagerly outside `celery` processes; here the enqueue must reach
    # the broker so the two worker processes do the delivering (as in production), not this process.
    app.conf.task_always_eager = False
    from social.federation import ids
    from social.federation.actors import local_actor_get
    from social.federation.models import Activity, Delivery, Follow, Host, RemoteActor
    from social.federation.transport import ActivityPubTransport, OutboundActivity
    from tests.conftest import free_port

    port = free_port()
    # A clean slate of followers and deliveries for this run.
    Delivery.objects.all().delete()
    Activity.objects.all().delete()
    Follow.objects.all().delete()
    RemoteActor.objects.filter(uri__startswith="http://127.").delete()
    Host.objects.all().delete()
    blog = local_actor_get("blog")
    inboxes = [f"http://127.0.{1 + n // 250}.{1 + n % 250}:{port}/inbox" for n in range(INBOXES)]
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

    with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as pem:
        pem.write(blog.public_key_pem)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    receiver = subprocess.Popen(
        [sys.executable, str(ROOT / "bench/federation_receiver.py"), str(port),
         ids.actor_key_id("blog"), ids.actor_id("blog"), pem.name],
        env=env,
    )  # fmt: skip

    def worker_command(n: int) -> list[str]:
        name = f"bench{n}-{uuid.uuid4().hex[:6]}@%h"
        quiet = ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"]
        return [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=threads",
            "-c",
            str(THREADS),
            "-n",
            name,
            *quiet,
        ]

    workers = [subprocess.Popen(worker_command(n), env=env, cwd=ROOT) for n in range(WORKERS)]
    try:
        for _ in range(240):  # wait until both workers answer: their start-up is not part of the figure
            if len(app.control.ping(timeout=0.5) or []) >= WORKERS:
                break
        else:
            sys.exit("the workers did not come up")
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
        pending = Delivery.objects.filter(activity__activity_id=activity.activity_id, state="pending")
        while pending.exists():
            time.sleep(0.05)
            if time.monotonic() - started > 120:
                break
        elapsed = time.monotonic() - started
        cpu = sum(cpu_seconds(w.pid) for w in workers) - cpu_before
        states = dict(
            Delivery.objects.filter(activity__activity_id=activity.activity_id)
            .values_list("state")
            .annotate(n=__import__("django.db.models", fromlist=["Count"]).Count("id"))
        )
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/count") as response:
            ok, rejected, hosts = map(int, response.read().split())
        print(
            f"followers={FOLLOWERS} shared inboxes={INBOXES} workers={WORKERS} processes x {THREADS} threads"
        )
        print(f"deliveries scheduled={receipt.deliveries_scheduled} states={states}")
        print(f"receiver: verified POSTs={ok} rejected={rejected} distinct hosts={hosts}")
        print(f"recording + fan-out rows: {recorded:.2f} s")
        print(f"fully delivered in {elapsed:.2f} s -> {ok / elapsed:.0f} deliveries/s "
              f"({FOLLOWERS / elapsed:.0f} followers reached/s)")  # fmt: skip
        print(f"worker CPU: {cpu:.2f} s total, {cpu / max(ok, 1) * 1000:.2f} ms per delivery")
    finally:
        for process in [*workers, receiver]:
            process.terminate()
        for process in [*workers, receiver]:
            process.wait(timeout=60)
        os.unlink(pem.name)


if __name__ == "__main__":
    main()
