"""Store an ActivityPub object for every live federated page that has none yet (sends nothing)."""

from django.core.management.base import BaseCommand

from social.federation.transport import objects_backfill


class Command(BaseCommand):
    help = "Make every published post part of the outbox, including posts from before federation."

    def handle(self, *args, **options):
        self.stdout.write(f"stored {objects_backfill()} objects")
