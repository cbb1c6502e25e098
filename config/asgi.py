"""ASGI entry point; refuses to start on a bad configuration or database, as the WSGI one does."""

import os

from django.core.asgi import get_asgi_application

from config.startup import database_reachable, startup_errors_as_one_line

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")
with startup_errors_as_one_line():
    application = get_asgi_application()
    database_reachable()
