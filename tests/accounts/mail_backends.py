"""A mail backend for worker tests: one line per recipient in a file, optionally stalling mid-send."""

import os
import time
from pathlib import Path

from django.core.mail.backends.base import BaseEmailBackend


class FileLogBackend(BaseEmailBackend):
    """Appends each recipient to $ACCOUNTS_TEST_MAIL_LOG. With $ACCOUNTS_TEST_STALL_AFTER=n it hangs
    (after touching $ACCOUNTS_TEST_STALL_MARKER) instead of sending message n+1, like a dying SMTP call."""

    def send_messages(self, messages):
        log = Path(os.environ["ACCOUNTS_TEST_MAIL_LOG"])
        stall_after = os.environ.get("ACCOUNTS_TEST_STALL_AFTER")
        for message in messages:
            sent = len(log.read_text().splitlines()) if log.exists() else 0
            if stall_after is not None and sent >= int(stall_after):
                Path(os.environ["ACCOUNTS_TEST_STALL_MARKER"]).touch()
                time.sleep(120)
            with log.open("a") as handle:
                handle.write(f"{message.to[0]}\n")
        return len(messages)
