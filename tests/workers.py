"""Real Celery worker processes for tests: started beside pytest, sharing its test database."""

import atexit
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection

CELERY = str(Path(sys.executable).with_name("celery"))


def _die_with_parent() -> None:
    """In the child before exec: the kernel sends it SIGKILL when the process that started it dies."""
    PR_SET_PDEATHSIG = 1
    ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def shared_database_url() -> str:
    """The URL of the database this process uses now (pytest-django's test_<name> on PostgreSQL,
    the file-backed SQLite test database otherwise), for a worker subprocess to share."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@contextmanager
def celery_on_broker(broker_url: str) -> Iterator[Any]:
    """Send this process's tasks to ``broker_url`` (not eagerly) inside the block.

    Celery caches both a connection pool and a producer pool; eager tasks sent by earlier tests in
    the same run already made the producer pool for the session's broker (CI's REDIS_URL, or
    memory://), and a task sent through it would never reach the worker. So both are dropped on the
    way in and on the way out.
    """
    from config.celery import app

    redis.Redis.from_url(broker_url).flushdb()  # no stale messages from an earlier run
    saved = {"broker_url": app.conf.broker_url, "task_always_eager": app.conf.task_always_eager}
    app.conf.update(broker_url=broker_url, task_always_eager=False)
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield app
    finally:
        app.conf.update(**saved)
        app._pool = None
        app.amqp._producer_pool = None


class Worker:
    """``celery -A config worker`` (solo pool, one task at a time) in its own process group."""

    def __init__(self, name: str, log: Path, broker_url: str, settings_module: str, **env: str):
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": settings_module,
            "DATABASE_URL": shared_database_url(),
            "REDIS_URL": broker_url,
            **env,
        }
        self.log = log
        self.process = subprocess.Popen(
            [
                CELERY,
                "-A",
                "config",
                "worker",
                "--pool=solo",
                "--loglevel=info",
                "-n",
                f"{name}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so kill() takes the whole group with SIGKILL, mid-task
        )

    def kill(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def wait_for(self, predicate: Callable[[], Any], timeout: float, what: str) -> Any:
        """Poll ``predicate`` until it returns something truthy; fail with the worker's log if the
        worker dies or the time runs out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            if self.process.poll() is not None:
                pytest.fail(f"worker exited while waiting for {what}:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)
        pytest.fail(f"timed out waiting for {what}:\n{self.log.read_text()[-3000:]}")


def own_redis_url(db: int) -> str:
    """A database on this test process's own ``redis-server``, started on first use.

    Tests that start workers, beats or a whole stack flush their broker and hold Redis locks. On the
    machine's shared Redis, anything else using the same database number at the same time (another
    run of the suite, a stack someone left running) would take their tasks and hold their beat's lock:
    CI saw a front-door stack's Follow consumed by a foreign worker. A server of our own cannot be shared.
    """
    global _own_redis
    if _own_redis is None:
        from tests.conftest import free_port

        _own_redis = RedisServer(free_port())
        _own_redis.start()
        atexit.register(_own_redis.stop)
    return f"redis://127.0.0.1:{_own_redis.port}/{db}"


_own_redis: "RedisServer | None" = None


class RedisServer:
    """A throwaway ``redis-server`` of our own (no persistence): restarting it loses every queued
    message, as a crashed or redeployed production Redis without AOF would."""

    def __init__(self, port: int):
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
            + ["--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent,  # a pytest killed outright leaves no server behind
        )
        client = redis.Redis.from_url(self.url)
        for _ in range(100):
            try:
                if client.ping():
                    return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()  # SIGKILL: nothing is saved, whatever was queued is gone
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.stop()
        self.start()
