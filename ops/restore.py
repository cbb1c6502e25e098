"""Restoring one backup archive: every check first, then the database, then media, then `migrate`."""

import json
import tarfile
from pathlib import Path, PurePosixPath
from tempfile import TemporaryFile
from typing import Any

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import DEFAULT_DB_ALIAS, connections

from .backup import MEDIA_PREFIX
from .backup_database import DUMP_MEMBER, BackupError, database_restore, database_vendor, pg_restore_checked
from .backup_manifest import MANIFEST_MEMBER, HashingReader, manifest_checked, migration_heads_unknown

# What people made, as opposed to what `migrate` makes (content types, Wagtail's root and welcome
# page, the default site): a database holding any of these is somebody's site.
DATA_MODELS = ("accounts.User", "wagtailcore.Revision", "catalogue.Product", "order.Order", "schedule.Event")


def database_has_data(alias: str = DEFAULT_DB_ALIAS) -> list[str]:
    """The models that hold rows, among those tables that exist (a fresh database has none)."""
    tables = set(connections[alias].introspection.table_names())
    return [
        label
        for label in DATA_MODELS
        if (model := apps.get_model(label))._meta.db_table in tables
        and model._default_manager.using(alias).exists()
    ]


def _media_name(member: str) -> str:
    """A media member's storage name, refusing anything that could land outside the storage."""
    name = member.removeprefix(MEDIA_PREFIX)
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts or "\\" in name:
        raise BackupError(f"refusing the archive member {member!r}: not a plain media path")
    return name


def archive_verified(path: Path) -> dict[str, Any]:
    """Read the whole archive once, hashing every member; return its manifest only if every file it
    lists is there with its checksum and size, and nothing else is."""
    try:
        return _archive_verified(path)
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise BackupError(f"{path} is not a readable backup archive: {exc}") from exc


def _archive_verified(path: Path) -> dict[str, Any]:
    seen: dict[str, dict[str, Any]] = {}
    manifest: Any = None
    with tarfile.open(path, mode="r|*") as archive:
        for member in archive:
            if not member.isfile():
                raise BackupError(f"refusing the archive member {member.name!r}: not a regular file")
            stream = archive.extractfile(member)
            if member.name == MANIFEST_MEMBER:
                try:
                    manifest = json.loads(stream.read())
                except ValueError as exc:
                    raise BackupError(f"the manifest is not JSON: {exc}") from exc
                continue
            reader = HashingReader(stream)
            while reader.read(1024 * 1024):
                pass
            seen[member.name] = reader.entry()
    if manifest is None:
        raise BackupError(f"{path} has no {MANIFEST_MEMBER}: not a backup archive")
    manifest = manifest_checked(manifest)
    listed = manifest["files"]
    for name in sorted(set(listed) | set(seen)):
        if name not in seen:
            raise BackupError(f"{name} is in the manifest but missing from the archive")
        if name not in listed:
            raise BackupError(f"{name} is in the archive but not in the manifest")
        if seen[name] != listed[name]:
            raise BackupError(f"checksum mismatch for {name}: the archive was changed or damaged")
    return manifest


def restore_refusals(manifest: dict[str, Any], *, force: bool, alias: str = DEFAULT_DB_ALIAS) -> None:
    """Everything that must stop a restore, checked before the database is touched."""
    vendor = database_vendor(alias)
    if manifest["database_vendor"] != vendor:
        raise BackupError(
            f"the archive holds a {manifest['database_vendor']} database; this site runs on {vendor}"
        )
    if DUMP_MEMBER[vendor] not in manifest["files"]:
        raise BackupError(f"the archive has no {DUMP_MEMBER[vendor]}")
    unknown = migration_heads_unknown(manifest["migration_heads"], alias)
    if unknown:
        raise BackupError(
            "the archive comes from newer code: this code has no migration "
            + ", ".join(unknown)
            + "; deploy the code the backup was made with (or newer), then restore"
        )
    if vendor == "postgresql":
        pg_restore_checked(int(manifest.get("pg_dump_major", 0)))
    holding = database_has_data(alias)
    if holding and not force:
        raise BackupError(
            f"the database already has data ({', '.join(holding)}): "
            "restoring replaces it; run with --force to do so"
        )


def _check(name: str, reader: HashingReader, manifest: dict[str, Any]) -> None:
    if reader.entry() != manifest["files"][name]:
        raise BackupError(
            f"checksum mismatch for {name} while restoring: the archive changed since it was checked"
        )


def restore_run(
    path: Path, *, force: bool = False, alias: str = DEFAULT_DB_ALIAS, verbosity: int = 1
) -> dict[str, Any]:
    """Verify, refuse or restore: database, then media, then `migrate`. Returns the manifest."""
    manifest = archive_verified(path)
    restore_refusals(manifest, force=force, alias=alias)
    dump_member = DUMP_MEMBER[manifest["database_vendor"]]
    with tarfile.open(path, mode="r|*") as archive:
        for member in archive:
            if member.name == MANIFEST_MEMBER:
                continue
            reader = HashingReader(archive.extractfile(member))
            if member.name == dump_member:
                with TemporaryFile() as staged:  # pg_restore reads a real file descriptor
                    while chunk := reader.read(1024 * 1024):
                        staged.write(chunk)
                    _check(member.name, reader, manifest)
                    staged.seek(0)
                    database_restore(staged, alias)
                continue
            name = _media_name(member.name)
            if default_storage.exists(name):  # saved under its own name, not a "_x7Gq2" sibling
                default_storage.delete(name)
            saved = default_storage.save(name, File(reader, name=name))
            _check(member.name, reader, manifest)
            if saved != name:
                raise BackupError(f"the storage saved {name} as {saved}")
    ContentType.objects.clear_cache()  # ids cached from the database that was replaced
    cache.clear()  # pages and fragments rendered from it too
    call_command("migrate", interactive=False, verbosity=verbosity, database=alias)
    return manifest
