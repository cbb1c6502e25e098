"""An SMTP server that accepts the connection and never answers cannot hold the sender."""

import socket
import time

import pytest
from django.core.mail import EmailMessage, get_connection


@pytest.fixture
def silent_smtp():
    """A port on 127.0.0.1 whose connections the kernel accepts and nobody ever greets."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def test_smtp_connection_default_timeout_bounded(settings):
    connection = get_connection("django.core.mail.backends.smtp.EmailBackend")
    assert connection.timeout == settings.EMAIL_TIMEOUT and 0 < connection.timeout <= 60


def test_smtp_send_silent_server_fails_within_the_timeout(settings, silent_smtp):
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", silent_smtp, 0.5
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    connection = get_connection("django.core.mail.backends.smtp.EmailBackend")
    started = time.monotonic()
    message = EmailMessage("Reminder", "Tomorrow at ten.", "noreply@example.org", ["ada@example.org"])
    with pytest.raises(OSError):  # smtplib reports the timeout as the server going away
        connection.send_messages([message])
    assert time.monotonic() - started < 3
