"""The database half of a backup: django-dbbackup's connectors (pg_dump custom format, SQLite backup API)."""

import re
import shutil
import sqlite3
import subprocess
from shutil import copyfileobj
from tempfile import NamedTemporaryFile
from typing import IO

from dbbackup.db.exceptions import CommandConnectorError
from dbbackup.db.postgresql import PgDumpBinaryConnector
from dbbackup.db.sqlite import SqliteBackupConnector
from django.db import DEFAULT_DB_ALIAS, connections


class BackupError(Exception):
    """A backup or restore that must not go on; the message says why, for the operator."""


class PostgresDumpConnector(PgDumpBinaryConnector):
    """pg_dump --format=custom; pg_restore into the same or another database, whoever owned it before."""

    pg_options = ["--no-owner", "--no-privileges"]  # the restoring role owns what it restores


class SqliteLiveConnector(SqliteBackupConnector):
    """Dumps with SQLite's backup API (a consistent copy while the site writes) and restores with it too:
    page by page into the open connection, never a file copied over a database other connections hold."""

    def restore_dump(self, dump: IO[bytes]) -> None:
        with NamedTemporaryFile(suffix=".sqlite3") as staged:
            copyfileobj(dump, staged)
            staged.flush()
            source = sqlite3.connect(staged.name)
            try:
                self.connection.ensure_connection()
                source.backup(self.connection.connection)
            finally:
                source.close()


DUMP_MEMBER = {"postgresql": "database/postgresql.dump", "sqlite": "database/sqlite.sqlite3"}


def database_vendor(alias: str = DEFAULT_DB_ALIAS) -> str:
    vendor = connections[alias].vendor
    if vendor not in DUMP_MEMBER:
        raise BackupError(f"backups know PostgreSQL and SQLite, not {vendor}")
    return vendor


def _client_major(binary: str) -> int:
    if shutil.which(binary) is None:
        raise BackupError(
            f"{binary} is not installed: install the postgresql-client package of the server's version"
        )
    # A fixed program name found on PATH, a fixed argument: nothing from outside reaches the command line.
    output = subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout  # noqa: S603
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    if match is None:
        raise BackupError(f"cannot read {binary}'s version from {output!r}")
    return int(match.group(1))


def postgres_server_major(alias: str = DEFAULT_DB_ALIAS) -> int:
    connection = connections[alias]
    connection.ensure_connection()
    return connection.pg_version // 10000


def pg_dump_major_checked(alias: str = DEFAULT_DB_ALIAS) -> int:
    """pg_dump refuses servers newer than itself; say so before it starts, naming both versions."""
    client, server = _client_major("pg_dump"), postgres_server_major(alias)
    if client < server:
        raise BackupError(
            f"pg_dump {client} cannot dump a PostgreSQL {server} server: install postgresql-client-{server}"
        )
    return client


def pg_restore_checked(dumped_by_major: int) -> None:
    """pg_restore reads archives of its own and older pg_dump versions only."""
    client = _client_major("pg_restore")
    if client < dumped_by_major:
        raise BackupError(
            f"this archive was written by pg_dump {dumped_by_major}; pg_restore {client} cannot read it"
        )


def database_dump(alias: str = DEFAULT_DB_ALIAS) -> IO[bytes]:
    """The whole database as one file object (spooled to disk past 10 MB), positioned at its start."""
    connector = (
        PostgresDumpConnector(alias) if database_vendor(alias) == "postgresql" else SqliteLiveConnector(alias)
    )
    try:
        dump = connector.create_dump()
    except CommandConnectorError as exc:
        raise BackupError(str(exc)) from exc
    dump.seek(0)
    return dump


def database_restore(dump: IO[bytes], alias: str = DEFAULT_DB_ALIAS) -> None:
    """Replace the database's contents with the dump's. Django's own connection is closed first so
    pg_restore's DROPs wait on nobody; it reconnects on its next query."""
    vendor = database_vendor(alias)
    connections[alias].close()
    connector = PostgresDumpConnector(alias) if vendor == "postgresql" else SqliteLiveConnector(alias)
    try:
        connector.restore_dump(dump)
    except CommandConnectorError as exc:
        raise BackupError(str(exc)) from exc
    finally:
        connections[alias].close()
