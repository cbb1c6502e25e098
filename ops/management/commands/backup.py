"""`manage.py backup`: one archive of the database, every media file and a manifest."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup import backup_default_name, backup_write
from ops.backup_database import BackupError


class Command(BaseCommand):
    help = "Write one archive (tar.gz) of the database, the media files and a manifest with their checksums."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            "-o",
            default="",
            help="archive path (default: rose-ash-backup-<UTC time>.tar.gz here); '-' streams it to stdout",
        )
        parser.add_argument(
            "--no-gzip", action="store_true", help="a plain tar (for storage that compresses)"
        )

    def handle(self, *args, output: str, no_gzip: bool, **options):
        report = self.stderr if output == "-" else self.stdout  # stdout may be the archive itself
        try:
            if output == "-":
                manifest = backup_write(sys.stdout.buffer, gzip=not no_gzip)
                sys.stdout.buffer.flush()
                target = "stdout"
            else:
                path = Path(output or backup_default_name())
                partial = path.with_name(path.name + ".partial")  # never a complete-looking half archive
                try:
                    with open(partial, "wb") as destination:
                        manifest = backup_write(destination, gzip=not no_gzip)
                    partial.replace(path)
                finally:
                    partial.unlink(missing_ok=True)
                target = str(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        report.write(
            f"backup: {manifest['database_vendor']} database and {media} media files written to {target}\n"
        )
