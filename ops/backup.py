"""Writing one backup archive: the database dump, every media file from the default storage, a manifest."""

import io
import json
import tarfile
import time
from collections.abc import Iterator
from typing import IO, Any

from django.core.files.storage import Storage, default_storage
from django.db import DEFAULT_DB_ALIAS

from .backup_database import DUMP_MEMBER, database_dump, database_vendor, pg_dump_major_checked
from .backup_manifest import MANIFEST_MEMBER, HashingReader, manifest_build

MEDIA_PREFIX = "media/"


def media_names(storage: Storage) -> Iterator[str]:
    """Every file in the storage, through its own listing (S3's too, not only a local MEDIA_ROOT)."""
    pending = [""]
    while pending:
        directory = pending.pop()
        try:
            subdirectories, files = storage.listdir(directory)
        except FileNotFoundError:  # a new server's MEDIA_ROOT, made on the first upload: no media yet
            if directory:
                raise
            return
        for name in sorted(files):
            yield f"{directory}/{name}" if directory else name
        pending.extend(
            f"{directory}/{sub}" if directory else sub for sub in sorted(subdirectories, reverse=True)
        )


def _add_stream(archive: tarfile.TarFile, member: str, stream: IO[bytes], size: int) -> dict[str, Any]:
    info = tarfile.TarInfo(member)
    info.size, info.mtime, info.mode = size, int(time.time()), 0o600
    reader = HashingReader(stream)
    archive.addfile(info, reader)  # tarfile reads exactly `size` bytes, in 16 KiB chunks
    return reader.entry()


def backup_write(
    destination: IO[bytes], *, gzip: bool = True, alias: str = DEFAULT_DB_ALIAS
) -> dict[str, Any]:
    """Stream the archive into `destination` (a file or stdout) and return its manifest.

    The database goes first and media after: a file uploaded meanwhile is in the archive without its
    row (harmless), never a row without its file. No transaction is open here, so the storage's
    network calls hold no lock."""
    vendor = database_vendor(alias)
    extra: dict[str, Any] = {}
    if vendor == "postgresql":
        extra["pg_dump_major"] = pg_dump_major_checked(alias)
    files: dict[str, dict[str, Any]] = {}
    with tarfile.open(fileobj=destination, mode="w|gz" if gzip else "w|") as archive:
        dump = database_dump(alias)
        try:
            size = dump.seek(0, io.SEEK_END)
            dump.seek(0)
            files[DUMP_MEMBER[vendor]] = _add_stream(archive, DUMP_MEMBER[vendor], dump, size)
        finally:
            dump.close()
        for name in media_names(default_storage):
            with default_storage.open(name, "rb") as media_file:
                files[MEDIA_PREFIX + name] = _add_stream(
                    archive, MEDIA_PREFIX + name, media_file, media_file.size
                )
        manifest = manifest_build(vendor, files, **extra)
        body = json.dumps(manifest, indent=2, sort_keys=True).encode()
        info = tarfile.TarInfo(MANIFEST_MEMBER)
        info.size, info.mtime, info.mode = len(body), int(time.time()), 0o600
        archive.addfile(info, io.BytesIO(body))
    return manifest


def backup_default_name() -> str:
    return time.strftime("rose-ash-backup-%Y%m%dT%H%M%SZ.tar.gz", time.gmtime())
