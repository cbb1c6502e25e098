"""Start-up refuses bad configuration with one clear line, whichever process is starting:
manage.py (migrate, runserver), gunicorn through config.wsgi, and the Celery worker and beat."""

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PASSWORD = "s3cret-never-logged"


def _unused_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(**overrides: str) -> dict[str, str]:
    """Every production secret set, so only the setting under test is wrong."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "x" * 60,
        "DJANGO_ALLOWED_HOSTS": "coop.example",
        "SITE_URL": "https://coop.example",
        "DATABASE_URL": f"postgres://coop:{PASSWORD}@127.0.0.1:{_unused_port()}/coop",
        "REDIS_URL": "redis://127.0.0.1:6379/9",
        "OIDC_RSA_PRIVATE_KEY": "unused-before-the-database",
        "SUMUP_API_KEY": "k",
        "SUMUP_MERCHANT_CODE": "m",
        "SUMUP_WEBHOOK_SECRET": "w",
        **overrides,
    }


def run(*command: str, **env: str) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    return subprocess.run(command, cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60)


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run(sys.executable, "manage.py", *args, **env)


def assert_one_line(result: subprocess.CompletedProcess, *expected: str) -> None:
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and lines[-1].startswith(("configuration error:", "database error:")), result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    assert PASSWORD not in result.stderr + result.stdout
    for text in expected:
        assert text in lines[-1]


def test_production_without_secrets_stops_with_one_line():
    result = run_manage("check", DJANGO_SETTINGS_MODULE="config.settings.production")
    assert result.stderr.strip().count("\n") == 0
    assert_one_line(result, "DJANGO_SECRET_KEY")


def test_bad_database_url_stops_with_one_line():
    result = run_manage("check", DJANGO_SETTINGS_MODULE="config.settings.dev", DATABASE_URL="nonsense://x")
    assert_one_line(result, "DATABASE_URL")


def test_bad_redis_url_stops_with_one_line():
    result = run_manage("check", DJANGO_SETTINGS_MODULE="config.settings.dev", REDIS_URL="localhost:6379")
    assert_one_line(result, "REDIS_URL")


def test_unreachable_database_stops_migrate_with_one_line():
    env = production_env()
    result = run_manage("migrate", "--noinput", **env)
    assert_one_line(result, "database error", "DATABASE_URL", "Connection refused")


def test_database_refusing_the_role_stops_runserver_with_one_line():
    # The autoreloader serves from a thread, where Django's own migration check would print a traceback.
    url = f"postgres://no_such_role:{PASSWORD}@127.0.0.1:5432/no_such_db"
    result = run_manage(
        "runserver",
        f"127.0.0.1:{_unused_port()}",
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL=url,
    )
    assert_one_line(result, "no_such_role")


def test_missing_sqlite_directory_stops_with_one_line():
    result = run_manage(
        "migrate",
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        DATABASE_URL="sqlite:////nonexistent-dir/coop.sqlite3",
    )
    assert_one_line(result, "SQLite file /nonexistent-dir/coop.sqlite3")


@pytest.mark.parametrize(
    "env, expected",
    [
        ({"DJANGO_SETTINGS_MODULE": "config.settings.production"}, "DJANGO_SECRET_KEY"),
        (production_env(), "Connection refused"),
    ],
    ids=["missing-secrets", "unreachable-database"],
)
def test_gunicorn_stops_with_one_line(env, expected):
    # As the Dockerfile runs it: --preload makes the master load the app, so it stops once instead
    # of booting workers that die one after another.
    result = run(
        str(BIN / "gunicorn"),
        "config.wsgi:application",
        "--preload",
        "--bind",
        f"127.0.0.1:{_unused_port()}",
        **env,
    )
    assert_one_line(result, expected)


@pytest.mark.parametrize("role", ["worker", "beat"])
@pytest.mark.parametrize(
    "env, expected",
    [
        ({"DJANGO_SETTINGS_MODULE": "config.settings.production"}, "DJANGO_SECRET_KEY"),
        (production_env(), "Connection refused"),
    ],
    ids=["missing-secrets", "unreachable-database"],
)
def test_celery_stops_with_one_line(role, env, expected):
    result = run(str(BIN / "celery"), "-A", "config", role, **env)
    assert_one_line(result, expected)


@pytest.mark.django_db
def test_a_failing_query_keeps_its_traceback():
    """Only failures to connect are shortened: a query that fails on a working connection is a bug
    to read in full, not a configuration problem."""
    from django.db import DatabaseError, connection

    from config.startup import startup_errors_as_one_line

    with pytest.raises(DatabaseError), startup_errors_as_one_line(), connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_anywhere")
