#!/usr/bin/env python
"""Django's command-line utility; a configuration or database-connection error prints one clear
line, not a traceback (config.startup)."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    from django.core.management import execute_from_command_line

    from config.startup import startup_errors_as_one_line

    with startup_errors_as_one_line():
        execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
