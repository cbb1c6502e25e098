"""/healthz answers without touching the database; /readyz is 200 only when the database, cache and
broker answer and every migration is applied, else 503 naming what failed."""

import asyncio
import json
import shutil
import socket
import sqlite3

import pytest
from django.db import connection

from tests.ops.probes import request_in_subprocess


@pytest.fixture(autouse=True)
def no_event_loop_left_by_a_browser_test():
    """Playwright's sync API leaves its event loop marked running in this thread between calls, so
    after a browser test on the same process /readyz's async_to_sync refused to run. A WSGI worker
    has no loop; these tests see none either."""
    left = asyncio._get_running_loop()
    asyncio._set_running_loop(None)
    yield
    asyncio._set_running_loop(left)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_healthz_without_database_access_is_alive(client):
    # No django_db mark: pytest-django fails any query, so a 200 proves the probe made none.
    response = client.get("/healthz", HTTP_HOST="10.0.0.7:8000")  # an internal address, not in ALLOWED_HOSTS
    assert response.status_code == 200
    assert response.json() == {"status": "alive"}


@pytest.mark.django_db
def test_readyz_on_the_test_setup_is_ready(client):
    response = client.get("/readyz", HTTP_HOST="10.0.0.7:8000")
    assert response.status_code == 200, response.content
    body = response.json()
    assert set(body.values()) == {"OK"}
    names = " ".join(body)
    for check in ("Database", "MigrationsApplied", "Cache", "CeleryBroker"):
        assert check in names
    assert "no-cache" in response["Cache-Control"]


def test_readyz_with_the_database_down_is_503_naming_it():
    port = _closed_port()
    result = request_in_subprocess("/readyz", DATABASE_URL=f"postgres://coop:pw@127.0.0.1:{port}/coop")
    assert result["status"] == 503
    body = json.loads(result["body"])
    failed = {name for name, state in body.items() if state != "OK"}
    assert any(name.startswith("Database") for name in failed), body
    assert any(name.startswith("Cache") for name in set(body) - failed), body
    assert "pw" not in result["body"]


def test_healthz_with_the_database_down_is_still_alive():
    result = request_in_subprocess(
        "/healthz", DATABASE_URL=f"postgres://coop:pw@127.0.0.1:{_closed_port()}/coop"
    )
    assert result["status"] == 200


def test_readyz_on_an_unmigrated_database_is_503_naming_migrations(tmp_path):
    result = request_in_subprocess("/readyz", DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert result["status"] == 503
    body = json.loads(result["body"])
    assert body["Database(alias='default')"] == "OK"
    assert "not applied" in body["MigrationsApplied(alias='default')"]


@pytest.mark.django_db
def test_readyz_with_one_migration_unapplied_is_503_naming_it(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("copies the file-backed SQLite test database")
    copy = tmp_path / "one-behind.sqlite3"
    shutil.copy(connection.settings_dict["NAME"], copy)
    with sqlite3.connect(copy) as db:
        app, name = db.execute(
            "SELECT app, name FROM django_migrations WHERE app = 'social' ORDER BY id DESC LIMIT 1"
        ).fetchone()
        db.execute("DELETE FROM django_migrations WHERE app = ? AND name = ?", (app, name))
    result = request_in_subprocess("/readyz", DATABASE_URL=f"sqlite:///{copy}")
    assert result["status"] == 503
    body = json.loads(result["body"])
    expected = f"Unavailable: 1 migration(s) not applied: {app}.{name}"
    assert body["MigrationsApplied(alias='default')"] == expected
    assert body["Database(alias='default')"] == "OK"


def test_readyz_from_the_internet_names_failures_without_their_reasons(tmp_path):
    # Internal callers (the test client is 127.0.0.1) and token holders read the reasons…
    internal = request_in_subprocess("/readyz", DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert "not applied" in json.loads(internal["body"])["MigrationsApplied(alias='default')"]
    # …a client the front door relays (X-Forwarded-For, no trusted proxy) only which check failed.
    relayed = request_in_subprocess(
        "/readyz",
        {"HTTP_X_FORWARDED_FOR": "203.0.113.9"},
        DATABASE_URL=f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    )
    assert relayed["status"] == 503
    assert json.loads(relayed["body"])["MigrationsApplied(alias='default')"] == "failed"
    assert "not applied" not in relayed["body"]
