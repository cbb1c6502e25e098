"""Start-up guard: a misconfigured deployment stops with one line that names what is wrong.

Every way the project starts goes through it — manage.py (migrate, runserver, seed_demo…), the
WSGI/ASGI entry points under gunicorn, and the Celery worker and beat — so an operator reads
"configuration error: …" or "database error: …" instead of a traceback wall.
"""

import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.exceptions import ImproperlyConfigured


def _database_described(alias: str) -> str:
    """Where a database alias points, without its password (the line ends up in logs)."""
    from django.conf import settings

    database = settings.DATABASES.get(alias, {})
    engine = str(database.get("ENGINE", "")).rsplit(".", 1)[-1]
    if engine == "sqlite3":
        return f"SQLite file {database.get('NAME')}"
    host = database.get("HOST") or "local socket"
    port = f":{database['PORT']}" if database.get("PORT") else ""
    return f"{engine} at {host}{port}, database {database.get('NAME')!r}, user {database.get('USER')!r}"


def _failed_while_connecting(exc: BaseException) -> bool:
    """True when the error came from opening the connection, not from a query on an open one: only
    the former means DATABASE_URL is wrong or the server is down (a failed query keeps its traceback)."""
    return any(
        frame.f_code.co_name == "ensure_connection" for frame, _ in traceback.walk_tb(exc.__traceback__)
    )


@contextmanager
def startup_errors_as_one_line() -> Iterator[None]:
    from django.db.utils import OperationalError

    try:
        yield
    except ImproperlyConfigured as exc:
        sys.exit(f"configuration error: {exc}")
    except OperationalError as exc:
        if not _failed_while_connecting(exc):
            raise
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        sys.exit(
            f"database error: cannot connect to the {_database_described('default')} (DATABASE_URL): {reason}"
        )


def database_reachable() -> None:
    """Open and close the default connection once, so a long-running process refuses to start
    against a database it cannot reach rather than failing every request later."""
    from django.db import connection

    connection.ensure_connection()
    connection.close()
