"""`backup` and `restore`: the demo site and a media file come back after a wipe, on the run's database
(SQLite's backup API, or the real pg_dump and pg_restore) and from S3 (moto's server); and the refusals."""

import hashlib
import io
import json
import os
import re
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader

from tests.ops.test_media_storage import BUCKET, s3_media, s3_server  # noqa: F401  (fixtures)

pytestmark = [
    pytest.mark.django_db(transaction=True),  # restore replaces the whole database
    # pg_restore --single-transaction locks every table it recreates; two at once on one server ran
    # out of PostgreSQL's shared lock table in CI. One xdist process runs them all, one at a time.
    pytest.mark.xdist_group("pg-restore"),
]

MEDIA_NAME = "backup-test/orchard.bin"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _site_counts() -> dict[str, int]:
    from oscar.apps.catalogue.models import Product
    from schedule.models import Event
    from wagtail.models import Page

    from accounts.models import User

    return {
        "pages": Page.objects.count(),
        "products": Product.objects.count(),
        "events": Event.objects.count(),
        "users": User.objects.count(),
    }


def _media_saved() -> str:
    """A 300 kB file, larger than the archive's read chunks, under a directory (the listing recurses)."""
    if default_storage.exists(MEDIA_NAME):
        default_storage.delete(MEDIA_NAME)
    data = os.urandom(300_000)
    assert default_storage.save(MEDIA_NAME, ContentFile(data)) == MEDIA_NAME
    return _sha256(data)


def _media_sha256() -> str:
    with default_storage.open(MEDIA_NAME, "rb") as media_file:
        return _sha256(media_file.read())


def _round_trip(tmp_path: Path, client) -> dict:
    """Seed, back up, wipe (flush and delete the media file), restore; assert the site is back."""
    from django.conf import settings
    from oscar.apps.catalogue.models import Product

    call_command("seed_demo", verbosity=0)
    media_sha256 = _media_saved()
    before = _site_counts()
    assert min(before.values()) > 0, before

    archive = tmp_path / "site.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    with tarfile.open(archive) as opened:
        manifest = json.load(opened.extractfile("manifest.json"))
        everything = b"".join(opened.extractfile(member).read() for member in opened.getmembers())
    assert manifest["files"]["media/" + MEDIA_NAME]["sha256"] == media_sha256
    assert manifest["database_vendor"] == connection.vendor
    leaves = dict(MigrationLoader(connection).graph.leaf_nodes())
    assert manifest["migration_heads"]["accounts"] == [
        leaves["accounts"]
    ]  # the seeded site is fully migrated
    assert settings.SECRET_KEY.encode() not in everything

    call_command("flush", interactive=False, verbosity=0)
    default_storage.delete(MEDIA_NAME)
    assert _site_counts()["users"] == 0 and not default_storage.exists(MEDIA_NAME)

    call_command("restore", str(archive), verbosity=0, stdout=io.StringIO())

    assert _site_counts() == before
    assert _media_sha256() == media_sha256
    home = client.get("/")
    assert home.status_code == 200
    product = Product.objects.browsable().first()
    page = client.get(product.get_absolute_url())
    assert page.status_code == 200 and product.title in page.content.decode()
    return manifest


@pytest.mark.skipif(connection.vendor != "sqlite", reason="this run's database is not SQLite")
def test_backup_restore_sqlite_wiped_site_comes_back(tmp_path, client, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    manifest = _round_trip(tmp_path, client)
    assert "database/sqlite.sqlite3" in manifest["files"]


def _pg_tools_match_server() -> None:
    for binary in ("pg_dump", "pg_restore"):
        if shutil.which(binary) is None:
            pytest.skip(f"{binary} is not installed (Debian: postgresql-client)")
    output = subprocess.run(["pg_dump", "--version"], capture_output=True, text=True, check=True).stdout
    client_major = int(re.search(r"(\d+)\.", output).group(1))
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    if client_major < server_major:
        pytest.skip(f"pg_dump {client_major} cannot dump this PostgreSQL {server_major} server")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="run with DATABASE_URL=postgres://… for pg_dump"
)
def test_backup_restore_postgresql_wiped_site_comes_back(tmp_path, client, settings):
    _pg_tools_match_server()
    settings.MEDIA_ROOT = str(tmp_path / "media")
    manifest = _round_trip(tmp_path, client)
    with tarfile.open(tmp_path / "site.tar.gz") as opened:
        assert opened.extractfile("database/postgresql.dump").read(5) == b"PGDMP"  # pg_dump's custom format
    assert manifest["pg_dump_major"] >= connection.pg_version // 10000


def test_backup_restore_s3_media_comes_back_from_the_bucket(tmp_path, client, s3_media):  # noqa: F811
    if connection.vendor == "postgresql":
        _pg_tools_match_server()
    _round_trip(tmp_path, client)
    assert type(default_storage._wrapped).__name__ == "S3Storage"
    body = s3_media.get_object(Bucket=BUCKET, Key=MEDIA_NAME)["Body"].read()
    assert _sha256(body) == _media_sha256()


def _backup_of_one_user(tmp_path: Path) -> Path:
    from accounts.models import User

    User.objects.create_user(email="keeper@example.org", password="x")
    _media_saved()
    archive = tmp_path / "small.tar.gz"
    call_command("backup", output=str(archive), stdout=io.StringIO())
    return archive


def _rewritten(archive: Path, change) -> Path:
    """The same archive with change(name, data) applied to each member's bytes."""
    out = archive.with_name("rewritten.tar.gz")
    with tarfile.open(archive) as source, tarfile.open(out, "w:gz") as target:
        for member in source.getmembers():
            data = change(member.name, source.extractfile(member).read())
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return out


def test_restore_database_with_data_refused_without_force(tmp_path, settings):
    from accounts.models import User

    if connection.vendor == "postgresql":
        _pg_tools_match_server()
    settings.MEDIA_ROOT = str(tmp_path / "media")
    archive = _backup_of_one_user(tmp_path)
    User.objects.create_user(email="new@example.org", password="x")

    with pytest.raises(CommandError, match=r"already has data .*accounts.User.*--force"):
        call_command("restore", str(archive), verbosity=0)
    assert User.objects.filter(email="new@example.org").exists()

    call_command("restore", str(archive), force=True, verbosity=0, stdout=io.StringIO())
    assert list(User.objects.values_list("email", flat=True)) == ["keeper@example.org"]


def test_restore_tampered_media_refused_before_anything_changes(tmp_path, settings):
    from accounts.models import User

    settings.MEDIA_ROOT = str(tmp_path / "media")
    archive = _backup_of_one_user(tmp_path)
    tampered = _rewritten(archive, lambda name, data: data[::-1] if name.startswith("media/") else data)
    call_command("flush", interactive=False, verbosity=0)
    original = _media_sha256()

    with pytest.raises(CommandError, match=f"checksum mismatch for media/{MEDIA_NAME}"):
        call_command("restore", str(tampered), verbosity=0)
    assert not User.objects.exists() and _media_sha256() == original


def test_restore_archive_from_newer_migrations_refused(tmp_path, settings):
    from accounts.models import User

    settings.MEDIA_ROOT = str(tmp_path / "media")
    archive = _backup_of_one_user(tmp_path)

    def from_the_future(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migration_heads"]["accounts"] = ["9999_from_the_future"]
        return json.dumps(manifest).encode()

    newer = _rewritten(archive, from_the_future)
    call_command("flush", interactive=False, verbosity=0)
    with pytest.raises(CommandError, match=r"newer code.*accounts.9999_from_the_future"):
        call_command("restore", str(newer), verbosity=0)
    assert not User.objects.exists()


def test_backup_to_stdout_streams_a_restorable_archive(tmp_path, settings, capsysbinary):
    from accounts.models import User

    if connection.vendor == "postgresql":
        _pg_tools_match_server()
    settings.MEDIA_ROOT = str(tmp_path / "media")
    User.objects.create_user(email="keeper@example.org", password="x")
    media_sha256 = _media_saved()
    call_command("backup", output="-")
    captured = capsysbinary.readouterr()
    assert b"written to stdout" in captured.err
    archive = tmp_path / "streamed.tar.gz"
    archive.write_bytes(captured.out)

    call_command("flush", interactive=False, verbosity=0)
    default_storage.delete(MEDIA_NAME)
    call_command("restore", str(archive), verbosity=0, stdout=io.StringIO())
    assert list(User.objects.values_list("email", flat=True)) == ["keeper@example.org"]
    assert _media_sha256() == media_sha256


def test_backup_media_of_a_new_server_with_no_media_root_yet_is_empty(tmp_path):
    # MEDIA_ROOT is made by the first upload: a backup taken before it (README's walk-through, step 8,
    # on a server nobody has uploaded to) found no directory and failed instead of saving the database.
    from django.core.files.storage import FileSystemStorage

    from ops.backup import media_names

    assert list(media_names(FileSystemStorage(location=tmp_path / "media"))) == []
    (tmp_path / "media" / "images").mkdir(parents=True)
    (tmp_path / "media" / "images" / "a.jpg").write_bytes(b"x")
    assert list(media_names(FileSystemStorage(location=tmp_path / "media"))) == ["images/a.jpg"]
