"""`manage.py restore ARCHIVE`: check an archive, then restore the database, the media and run `migrate`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from ops.backup_database import BackupError
from ops.restore import restore_run


class Command(BaseCommand):
    help = (
        "Restore an archive made by `backup`: checksums and migrations are checked first; a database "
        "that already has data is replaced only with --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", type=Path)
        parser.add_argument("--force", action="store_true", help="replace a database that already has data")

    def handle(self, *args, archive: Path, force: bool, verbosity: int, **options):
        if not archive.is_file():
            raise CommandError(f"{archive} is not a file")
        try:
            manifest = restore_run(archive, force=force, verbosity=verbosity)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        self.stdout.write(
            f"restore: the backup of {manifest['created_at']} is back ({media} media files), migrated\n"
        )
