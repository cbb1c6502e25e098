"""What the fan-out benchmarks share: Django on the test settings against the real PostgreSQL, the
verifying receiver of bench/federation_receiver.py on loopback inboxes 127.0.x.y, and Celery worker
processes (thread pool) that do the delivering, as in production.

Imported first by a script run as `python bench/NAME.py` (this folder is then on sys.path), it puts
the checkout on sys.path and sets the environment before Django is set up."""

import os
import subprocess
import sys
import tempfile
import urllib.request
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")  # DEBUG off
os.environ["EDGE_ALLOWED_NETWORKS"] = "127.0.0.0/8"  # the receiver's inboxes are loopback addresses

INBOXES = int(os.environ.get("BENCH_INBOXES", 1_000))
WORKERS = int(os.environ.get("BENCH_WORKERS", 2))
THREADS = int(os.environ.get("BENCH_WORKER_THREADS", 8))  # each worker process overlaps its I/O waits


def django_migrated():
    """Django set up, the database migrated; returns the Celery app with eager tasks off.

    config.settings.test runs tasks eagerly outside `celery` processes; here the enqueue must reach
    the broker so the worker processes do the delivering (as in production), not this process."""
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from config.celery import app

    app.conf.task_always_eager = False
    return app


def loopback_inboxes(port: int, count: int = INBOXES) -> list[str]:
    """`count` shared inboxes, each on an address of its own (127.0.1.1, 127.0.1.2, ...)."""
    return [f"http://127.0.{1 + n // 250}.{1 + n % 250}:{port}/inbox" for n in range(count)]


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def received(port: int) -> tuple[int, int, int]:
    """The receiver's counts: verified POSTs, rejected POSTs, distinct inboxes reached."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/count") as response:
        ok, rejected, hosts = map(int, response.read().split())
    return ok, rejected, hosts


def _worker_command(name: str) -> list[str]:
    quiet = ["--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"]
    return [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=threads",
            "-c", str(THREADS), "-n", f"{name}-{uuid.uuid4().hex[:6]}@%h", *quiet]  # fmt: skip


@contextmanager
def receiver_and_workers(app, port: int, name: str) -> Iterator[list[subprocess.Popen]]:
    """The verifying receiver on `port` (checking the blog actor's signatures) and WORKERS Celery
    workers named `name`0, `name`1, ...; yields the workers once every one answers a ping (their
    start-up is not part of any figure), and stops them all on the way out."""
    from social.federation import ids
    from social.federation.actors import local_actor_get

    with tempfile.NamedTemporaryFile("w", suffix=".pem", delete=False) as pem:
        pem.write(local_actor_get("blog").public_key_pem)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the workers see what this process set, Redis too
    receiver = subprocess.Popen(
        [sys.executable, str(ROOT / "bench/federation_receiver.py"), str(port),
         ids.actor_key_id("blog"), ids.actor_id("blog"), pem.name],
        env=env,
    )  # fmt: skip
    workers = [subprocess.Popen(_worker_command(f"{name}{n}"), env=env, cwd=ROOT) for n in range(WORKERS)]
    try:
        for _ in range(240):
            if len(app.control.ping(timeout=0.5) or []) >= WORKERS:
                break
        else:
            sys.exit("the workers did not come up")
        yield workers
    finally:
        for process in [*workers, receiver]:
            process.terminate()
        for process in [*workers, receiver]:
            process.wait(timeout=60)
        os.unlink(pem.name)
