"""Two beats against one Redis (celery-redbeat): one holds the lock and sends each entry once per
interval; the other waits, and takes over when the holder dies."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from tests.workers import own_redis_url

ROOT = Path(__file__).resolve().parents[2]
CELERY = str(Path(sys.executable).with_name("celery"))
BROKER = own_redis_url(12)
SENT = "Sending due task tick"

# The project's settings with one tiny entry instead of the real schedule, and a short lock.
BEAT_SETTINGS = """
from config.settings.test import *
CELERY_BEAT_SCHEDULE = {"tick": {"task": "ops.beat_probe", "schedule": 1.0}}
CELERY_BEAT_MAX_LOOP_INTERVAL = 1
CELERY_REDBEAT_LOCK_TIMEOUT = 4
"""


class Beat:
    def __init__(self, name: str, tmp_path: Path):
        self.log = tmp_path / f"{name}.log"
        self.process = subprocess.Popen(
            [CELERY, "-A", "config", "beat", "--loglevel=info"],
            cwd=ROOT,
            env={
                **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL"))},
                "DJANGO_SETTINGS_MODULE": "beat_probe_settings",
                "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}",
                "REDIS_URL": BROKER,
                "DATABASE_URL": f"sqlite:///{tmp_path / 'beat.sqlite3'}",
            },
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def sent(self) -> int:
        return self.log.read_text().count(SENT)

    def stop(self, sig=signal.SIGKILL) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=20)


def _wait(predicate, timeout: float, what: str, *beats: Beat):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    logs = "\n---\n".join(beat.log.read_text()[-2000:] for beat in beats)
    pytest.fail(f"timed out waiting for {what}:\n{logs}")


@pytest.fixture
def broker():
    client = redis.Redis.from_url(BROKER)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    client.flushdb()
    yield client
    client.flushdb()


def _queued_ticks(client: redis.Redis) -> int:
    messages = [json.loads(raw) for raw in client.lrange("celery", 0, -1)]
    return sum(1 for message in messages if message["headers"]["task"] == "ops.beat_probe")


def test_two_beats_send_each_entry_once_per_interval_and_fail_over(broker, tmp_path):
    (tmp_path / "beat_probe_settings.py").write_text(BEAT_SETTINGS)
    first, second = Beat("first", tmp_path), Beat("second", tmp_path)
    try:
        _wait(lambda: first.sent() + second.sent() >= 1, 60, "a first tick", first, second)
        _wait(lambda: first.process.poll() is None and second.process.poll() is None, 1, "both running")
        started = time.monotonic()
        time.sleep(6)
        holder, standby = (first, second) if first.sent() else (second, first)
        elapsed = time.monotonic() - started

        # One beat sends, the other sends nothing; the queue holds one tick per second, not two.
        assert standby.sent() == 0, standby.log.read_text()[-2000:]
        assert broker.exists("redbeat::lock")
        # A tick is logged just before it is queued, so the last one logged may still be on its way.
        logged_before = holder.sent()
        ticks = _queued_ticks(broker)
        assert logged_before - 1 <= ticks <= holder.sent(), (logged_before, ticks)
        assert ticks <= elapsed + 3, (ticks, elapsed)

        holder.stop()  # killed: no release, so the standby waits for the lock to expire
        _wait(lambda: standby.sent() >= 2, 30, "the standby to take over", standby)
    finally:
        first.stop()
        second.stop()
