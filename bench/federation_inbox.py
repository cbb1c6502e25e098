"""Benchmark: signed Likes posted to the shared inbox of a real server (gunicorn), verification included.

Needs PostgreSQL and Redis, e.g.
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/coop_fed_bench REDIS_URL=redis://127.0.0.1:6379/3 \
      .venv/bin/python bench/federation_inbox.py
It creates a post and 200 remote accounts with known keys, then signs Likes (cavage and RFC 9421
alternating) in client threads as it fires them (client signing shares this machine's CPU), and
prints accepted Likes per second and any errors. The inbox enqueues processing on Redis (no worker
needed to measure acceptance).
"""

import http.client
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")  # DEBUG off

REQUESTS = int(os.environ.get("BENCH_REQUESTS", 3000))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", 16))
# As docker/Dockerfile runs it: two worker processes (one per core) of four threads each.
GUNICORN_WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", 2))
GUNICORN_THREADS = int(os.environ.get("BENCH_GUNICORN_THREADS", 4))
# Persistent database connections (DJANGO_CONN_MAX_AGE): at 0 every request opens one, which on this
# machine costs more CPU (ours and PostgreSQL's) than verifying and storing the Like.
CONN_MAX_AGE = os.environ.get("DJANGO_CONN_MAX_AGE", "60")
# A directory: each gunicorn worker profiles its CPU time with cProfile and leaves <pid>.prof there on exit.
# cProfile sees one thread, so the workers run one request at a time (the sync worker) while profiled.
PROFILE_DIR = os.environ.get("BENCH_PROFILE", "")
if PROFILE_DIR:
    GUNICORN_THREADS = 1
ACCOUNTS = 200


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_workers(master: int) -> list[int]:
    """The gunicorn worker processes (the master's children)."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return [int(pid) for pid in children]


def main() -> None:
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        sys.exit("set DATABASE_URL (PostgreSQL) and REDIS_URL: the benchmark measures the real setup")
    from tests.conftest import free_port

    port = free_port()
    site = f"http://127.0.0.1:{port}"
    os.environ["SITE_URL"] = site
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from social.federation.actors import local_actor_get
    from social.federation.keys import key_pair_generate
    from social.federation.models import FederatedObject, InboxItem, Reaction, RemoteActor
    from social.federation.signatures import CAVAGE, RFC9421, request_sign

    blog = local_actor_get("blog")
    FederatedObject.objects.filter(object_key="page:888888").delete()
    obj = FederatedObject.objects.create(
        object_key="page:888888",
        actor=blog,
        url=f"{site}/blog/bench/",
        data={"id": f"{site}/ap/objects/page-888888"},
    )
    private_pem, public_pem = key_pair_generate()
    remote_base = "https://bench-remote.example"
    RemoteActor.objects.filter(domain="bench-remote.example").delete()
    RemoteActor.objects.bulk_create(
        [
            RemoteActor(
                uri=f"{remote_base}/users/u{n}",
                domain="bench-remote.example",
                username=f"u{n}",
                inbox=f"{remote_base}/users/u{n}/inbox",
                public_key_id=f"{remote_base}/users/u{n}#main-key",
                public_key_pem=public_pem,
            )
            for n in range(ACCOUNTS)
        ]
    )
    before_items = InboxItem.objects.count()

    requests = []
    for n in range(REQUESTS):
        actor = f"{remote_base}/users/u{n % ACCOUNTS}"
        body = json.dumps(
            {
                "@context": "https://www.w3.org/ns/activitystreams",
                "id": f"{remote_base}/likes/{uuid.uuid4()}",
                "type": "Like",
                "actor": actor,
                "object": obj.data["id"],
            }
        ).encode()
        requests.append((n, actor, body))

    env = {**os.environ, "PYTHONPATH": str(ROOT), "SITE_URL": site, "DJANGO_CONN_MAX_AGE": CONN_MAX_AGE}
    # config.settings.test runs Celery tasks eagerly outside `celery` processes, which would process
    # every Like inside its request; production only enqueues it. Each gunicorn worker turns that off.
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as hooks:
        hooks.write(
            "def post_worker_init(worker):\n"
            "    from config.celery import app\n"
            "    app.conf.task_always_eager = False\n"
        )
        if PROFILE_DIR:
            hooks.write(
                "    import cProfile\n"
                "    import time\n"
                "    worker.profile = cProfile.Profile(time.thread_time)\n"
                "    worker.profile.enable()\n"
                "def worker_exit(server, worker):\n"
                "    import os\n"
                "    worker.profile.disable()\n"
                f"    worker.profile.dump_stats(os.path.join({PROFILE_DIR!r}, f'{{os.getpid()}}.prof'))\n"
            )
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-c", hooks.name,
         "-w", str(GUNICORN_WORKERS), "--threads", str(GUNICORN_THREADS), "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", port, timeout=1).request("GET", "/nodeinfo/2.1")
                break
            except OSError:
                time.sleep(0.2)
        local = threading.local()
        statuses: dict[int, int] = {}
        lock = threading.Lock()

        def send(item):
            # Signed right before sending: a signature older than 5 minutes is rightly refused.
            n, actor, body = item
            headers = request_sign(
                scheme=RFC9421 if n % 2 else CAVAGE,
                method="POST",
                url=f"{site}/ap/inbox",
                body=body,
                key_id=f"{actor}#main-key",
                private_key_pem=private_pem,
            )
            headers["Content-Type"] = "application/activity+json"
            if not hasattr(local, "conn"):
                local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                local.conn.request("POST", "/ap/inbox", body=body, headers=headers)
                response = local.conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = 0
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

        # warm-up (imports, connections) outside the timing
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            list(pool.map(send, requests[: CONCURRENCY * 2]))
        statuses.clear()
        timed = requests[CONCURRENCY * 2 :]
        workers = server_workers(server.pid)
        cpu_before = sum(cpu_seconds(pid) for pid in workers)
        client_before = time.process_time()
        started = time.monotonic()
        with ThreadPoolExecutor(CONCURRENCY) as pool:
            list(pool.map(send, timed))
        elapsed = time.monotonic() - started
        server_cpu = sum(cpu_seconds(pid) for pid in workers) - cpu_before
        client_cpu = time.process_time() - client_before
        stored = InboxItem.objects.count() - before_items
        print(
            f"{len(timed)} signed Likes, {CONCURRENCY} client threads, gunicorn -w {GUNICORN_WORKERS} "
            f"--threads {GUNICORN_THREADS}, DJANGO_CONN_MAX_AGE={CONN_MAX_AGE}"
        )
        print(f"statuses: {statuses}")
        print(f"{elapsed:.2f} s -> {statuses.get(202, 0) / elapsed:.0f} accepted Likes/s")
        print(f"server CPU: {server_cpu / max(len(timed), 1) * 1000:.2f} ms per request (gunicorn workers)")
        print(f"client CPU: {client_cpu / max(len(timed), 1) * 1000:.2f} ms per request (signing, sending)")
        print(f"inbox items stored: {stored}; reactions now {Reaction.objects.filter(object=obj).count()}")
    finally:
        server.terminate()
        try:
            server.wait(timeout=40)  # workers finish their keep-alive connections first
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        os.unlink(hooks.name)
        from config.celery import app

        # No worker ran: drop the queued processing tasks, or the next benchmark's workers would do them.
        app.control.purge()


if __name__ == "__main__":
    main()
