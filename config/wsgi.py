"""WSGI entry point for gunicorn (run with --preload, as the Dockerfile does, so a bad configuration
or an unreachable database stops the master with one line instead of every worker in a loop)."""

import os

from django.core.wsgi import get_wsgi_application

from config.startup import database_reachable, startup_errors_as_one_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
with startup_errors_as_one_line():
    application = get_wsgi_application()
    database_reachable()
