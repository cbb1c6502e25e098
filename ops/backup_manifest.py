"""A backup's manifest: when, by which code, at which migrations, and every file's checksum."""

import hashlib
import platform
import tomllib
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from typing import IO, Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.loader import MigrationLoader

from .backup_database import BackupError

MANIFEST_MEMBER = "manifest.json"
MANIFEST_FORMAT = 1
VERSIONED_PACKAGES = ("Django", "wagtail", "django-oscar", "django-scheduler", "celery", "django-dbbackup")


class HashingReader:
    """Reads through to a file object, hashing and counting what passes, so a file is checksummed
    as it streams into or out of the archive rather than read twice."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.sha256 = hashlib.sha256()
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        chunk = self.raw.read(size)
        self.sha256.update(chunk)
        self.bytes_read += len(chunk)
        return chunk

    @property
    def closed(self) -> bool:
        return getattr(self.raw, "closed", False)

    def seekable(self) -> bool:  # storages must not rewind a stream that is being hashed
        return False

    def entry(self) -> dict[str, Any]:
        return {"sha256": self.sha256.hexdigest(), "size": self.bytes_read}


def app_versions() -> dict[str, str]:
    """The site's own version (pyproject.toml: it runs from a checkout, not an installed package)
    and the libraries whose data it keeps."""
    with open(settings.BASE_DIR / "pyproject.toml", "rb") as pyproject:
        project = tomllib.load(pyproject)["project"]
    versions = {project["name"]: project["version"], "python": platform.python_version()}
    for package in VERSIONED_PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            continue
    return versions


def migration_heads_applied(alias: str = DEFAULT_DB_ALIAS) -> dict[str, list[str]]:
    """Per app, the applied migrations no applied migration of the same app depends on: where each
    app's schema stands in this database (the code's leaves when the site is fully migrated)."""
    loader = MigrationLoader(connections[alias], ignore_no_migrations=True)
    applied = {key for key in loader.applied_migrations if key in loader.graph.nodes}
    heads: dict[str, list[str]] = {}
    for app, name in sorted(applied):
        children = loader.graph.node_map[(app, name)].children
        if not any(child in applied and child[0] == app for child in children):
            heads.setdefault(app, []).append(name)
    return heads


def migration_heads_unknown(heads: dict[str, list[str]], alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The archive's heads this code has no migration for: it came from newer (or other) code."""
    graph = MigrationLoader(connections[alias], ignore_no_migrations=True, load=True).graph
    return [
        f"{app}.{name}"
        for app, names in sorted(heads.items())
        for name in names
        if (app, name) not in graph.nodes
    ]


def manifest_build(vendor: str, files: dict[str, dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """Nothing from settings goes in: no secret key, no password, no host names."""
    return {
        "format": MANIFEST_FORMAT,
        "created_at": datetime.now(UTC).isoformat(),
        "app_versions": app_versions(),
        "migration_heads": migration_heads_applied(),
        "database_vendor": vendor,
        "files": files,
        **extra,
    }


def manifest_checked(manifest: Any) -> dict[str, Any]:
    """The manifest's shape, checked before anything in it is trusted."""
    if not isinstance(manifest, dict) or manifest.get("format") != MANIFEST_FORMAT:
        raise BackupError(f"not a backup manifest of format {MANIFEST_FORMAT}")
    for key, kind in (
        ("files", dict),
        ("migration_heads", dict),
        ("database_vendor", str),
        ("created_at", str),
    ):
        if not isinstance(manifest.get(key), kind):
            raise BackupError(f"the manifest's {key} is missing or malformed")
    return manifest
