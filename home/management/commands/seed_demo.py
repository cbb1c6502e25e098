"""Idempotent demo content: runs each app's seeder named in settings.DEMO_SEEDERS, in order."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import import_string


class Command(BaseCommand):
    help = "Create demo accounts and content (safe to run again; never in production)."

    def handle(self, *args, **options):
        if not settings.DEBUG and not getattr(settings, "DEMO_SEED_ALLOWED", False):
            raise CommandError("seed_demo creates accounts with known passwords; it runs only with DEBUG on.")
        for dotted in settings.DEMO_SEEDERS:
            seeder = import_string(dotted)
            with transaction.atomic():
                summary = seeder()
            self.stdout.write(f"{dotted}: {summary}")
