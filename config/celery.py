"""The Celery app: Redis as broker when REDIS_URL is set, eager in-process execution otherwise."""

import os
import sys
from pathlib import Path

from celery import Celery

from config.startup import database_reachable, startup_errors_as_one_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("coop")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def _started_by_celery_command() -> bool:
    program = Path(sys.argv[0])  # `celery -A config …` or `python -m celery -A config …`
    return program.name == "celery" or program.parent.name == "celery"


if _started_by_celery_command():
    # Celery first reads the settings while parsing its own options, where a missing secret would
    # surface as a traceback; read them here instead, and refuse to start against a dead database.
    with startup_errors_as_one_line():
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 -- evaluating the settings is the point
        database_reachable()
