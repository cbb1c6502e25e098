"""Settings for the Celery worker subprocess of test_newsletter_worker: mail goes to a file we read."""

from config.settings.test import *  # noqa: F403

EMAIL_BACKEND = "tests.accounts.mail_backends.FileLogBackend"
