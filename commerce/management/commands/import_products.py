"""`manage.py import_products FILE_OR_URL`: create or update products from CSV, a JSON feed or JSON-LD."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from commerce.importers import products_import, rows_from_source
from edge.http import RemoteFetchError, remote_request

MAX_FEED_BYTES = 20 * 1024 * 1024


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser):
        parser.add_argument(
            "source", help="a .csv or .json file, or an http(s) URL of a feed or producer page"
        )
        parser.add_argument("--producer", default="Imported", help="producer for rows that name none")

    def handle(self, source, producer, **options):
        if source.startswith(("http://", "https://")):
            # Through the edge guard: a feed URL must not reach this host's private network or metadata.
            try:
                response = remote_request(
                    "GET",
                    source,
                    headers={"User-Agent": "rose-ash-import/1"},
                    max_bytes=MAX_FEED_BYTES,
                    redirects=3,
                )
            except RemoteFetchError as exc:
                raise CommandError(f"could not fetch {source}: {exc}") from exc
            if response.status_code != 200:
                raise CommandError(f"could not fetch {source}: HTTP {response.status_code}")
            text, hint = response.text, response.headers.get("Content-Type", "") + " " + source
        else:
            path = Path(source)
            if not path.exists():
                raise CommandError(f"{source} does not exist")
            try:
                text, hint = path.read_text(encoding="utf-8-sig"), path.suffix
            except UnicodeDecodeError:
                raise CommandError(f"could not read {source}: it is not UTF-8 text") from None
        try:
            rows = rows_from_source(text, hint=hint)
        except ValueError as exc:
            raise CommandError(f"could not read {source}: {exc}") from None
        try:
            report = products_import(rows, default_producer=producer)
        except ValueError as exc:  # only --producer is checked as a whole; rows are reported one by one
            raise CommandError(f"--producer: {exc}") from None
        self.stdout.write(str(report))
