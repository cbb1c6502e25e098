"""`manage.py durable_run`: the sweep without a queue, for development without a Celery worker."""

import time

from django.core.management.base import BaseCommand

from durable.runner import run_due


class Command(BaseCommand):
    help = "Advance every due or stalled durable row in this process (once, or every --every seconds)."

    def add_arguments(self, parser):
        parser.add_argument("--every", type=float, default=0, help="repeat with this pause; 0 runs once")

    def handle(self, *args, every: float = 0, **options):
        while True:
            outcomes = run_due()
            if outcomes:
                self.stdout.write(", ".join(f"{count} {state}" for state, count in sorted(outcomes.items())))
            if not every:
                return
            time.sleep(every)
