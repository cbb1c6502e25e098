"""manage.py import_ghost EXPORT.json: bring a Ghost blog's posts and pages into Wagtail."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from cms.ghost import GhostExportError, GhostImages, ghost_export_read
from cms.ghost_import import ghost_posts_import
from cms.models import BlogCategory, BlogIndexPage


class Command(BaseCommand):
    help = (
        "Import posts, pages, tags and authors from a Ghost JSON export. Safe to run again: "
        "unchanged posts are left alone, changed ones get a new revision."
    )

    def add_arguments(self, parser):
        parser.add_argument("export", type=Path, help="the Ghost export (.json)")
        parser.add_argument("--images-dir", type=Path, help="a local copy of Ghost's content/images folder")
        parser.add_argument("--ghost-url", help="the old blog's URL, to fetch images named __GHOST_URL__/…")
        parser.add_argument(
            "--default-category",
            default="news",
            help="category slug for posts none of whose tags names a category (default: news)",
        )

    def handle(self, *args, **options):
        try:
            posts = ghost_export_read(options["export"])
        except GhostExportError as error:
            raise CommandError(str(error)) from None
        blog_index = BlogIndexPage.objects.first()
        if blog_index is None:
            raise CommandError("There is no blog index page to import posts into; create one first.")
        images_dir = options["images_dir"]
        if images_dir is not None and not images_dir.is_dir():
            raise CommandError(f"--images-dir {images_dir} is not a folder")
        category = BlogCategory.objects.filter(slug=options["default_category"]).first()
        if category is None:
            category = BlogCategory.objects.create(
                slug=options["default_category"], name=options["default_category"].replace("-", " ").title()
            )

        show_progress = options["verbosity"] >= 1
        report = ghost_posts_import(
            posts,
            blog_index=blog_index,
            images=GhostImages(images_dir, options["ghost_url"]),
            default_category=category,
            progress=self._progress if show_progress else (lambda done, total: None),
        )
        if show_progress and posts:
            self.stderr.write("")
        self.stdout.write(
            f"{len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.skipped)} skipped"
        )
        for label, reason in report.skipped:
            self.stdout.write(self.style.WARNING(f"skipped {label}: {reason}"))
        for label, note in report.notes:
            self.stdout.write(f"note on {label}: {note}")

    def _progress(self, done: int, total: int) -> None:
        width = 30
        filled = width * done // total
        self.stderr.write(f"\rImporting [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        self.stderr.flush()
