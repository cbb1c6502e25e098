"""With REDIS_URL, sessions (and the cache) live in Redis: a session written by one web host is
read by another that shares nothing else with it. Without Redis the defaults stay."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis

from tests.workers import own_redis_url

ROOT = Path(__file__).resolve().parents[2]
REDIS = own_redis_url(10)

_WRITE = """
import django
django.setup()
from importlib import import_module
from django.conf import settings
from django.core.cache import cache
store = import_module(settings.SESSION_ENGINE).SessionStore()
store["basket_owner"] = "ada"
store.save()
cache.set("shared-key", "from host one", 60)
print(store.session_key)
"""

_READ = """
import sys, django
django.setup()
from importlib import import_module
from django.conf import settings
from django.core.cache import cache
store = import_module(settings.SESSION_ENGINE).SessionStore(session_key=sys.argv[1])
print(store.get("basket_owner"), "|", cache.get("shared-key"))
"""

_DEFAULTS = """
import django
django.setup()
from django.conf import settings
print(settings.SESSION_ENGINE, getattr(settings, "CELERY_BEAT_SCHEDULER", "default beat"))
"""


def _host(script: str, tmp_path: Path, name: str, *args: str, redis_url: str = REDIS) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.dev",  # not the test settings' per-run key prefix
        DATABASE_URL=f"sqlite:///{tmp_path / f'{name}.sqlite3'}",  # each host its own, empty, database
        CACHE_KEY_PREFIX="ops-shared-state",
    )
    if redis_url:
        env["REDIS_URL"] = redis_url
    result = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().splitlines()[-1]


@pytest.fixture
def shared_redis():
    client = redis.Redis.from_url(REDIS)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    client.flushdb()
    yield client
    client.flushdb()


def test_shared_state_session_written_on_one_host_is_read_on_another(shared_redis, tmp_path):
    session_key = _host(_WRITE, tmp_path, "host-one")
    assert any(session_key in key.decode() for key in shared_redis.keys("*coop-session*"))
    assert _host(_READ, tmp_path, "host-two", session_key) == "ada | from host one"


def test_shared_state_without_redis_keeps_database_sessions_and_the_file_beat(tmp_path):
    assert _host(_DEFAULTS, tmp_path, "alone", redis_url="") == (
        "django.contrib.sessions.backends.db default beat"
    )
