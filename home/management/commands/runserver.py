"""runserver that refuses to start against a database it cannot reach, in one line.

Django's own checks the migrations from the server thread, where a connection error becomes a
traceback and the reloader goes on watching a server that will never answer."""

from django.contrib.staticfiles.management.commands.runserver import Command as StaticfilesRunserver

from config.startup import database_reachable, startup_errors_as_one_line


class Command(StaticfilesRunserver):
    def handle(self, *args, **options):
        with startup_errors_as_one_line():
            database_reachable()
        return super().handle(*args, **options)
