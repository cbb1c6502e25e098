"""Build static/css/site.css from the design system's sources (home/design/), or check it is current."""

from django.core.management.base import BaseCommand, CommandError

from home.stylesheet import BUILT, stylesheet_is_current, stylesheet_write


class Command(BaseCommand):
    help = "Build static/css/site.css from home/design/ with lightningcss; --check only compares."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Exit 1 when the built file is not what the sources build to (as makemigrations --check).",
        )

    def handle(self, *args, check: bool = False, **options):
        if check:
            if not stylesheet_is_current():
                raise CommandError(f"{BUILT} is stale: run `manage.py build_css` and commit it")
            self.stdout.write(f"{BUILT} is current")
            return
        self.stdout.write(f"wrote {stylesheet_write()}")
