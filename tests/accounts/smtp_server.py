"""A small real SMTP server on 127.0.0.1 for tests: counts the messages each recipient receives, and
can go down after a chosen number of messages (connections then refused) and come back on its port,
and refuses the recipients in ``refused`` for good (550), as a server does an unknown mailbox."""

import socketserver
import threading
from collections import Counter

from tests.conftest import free_port


class SMTPServer:
    def __init__(self, *, down_after: int | None = None):
        self.port = free_port()
        self.down_after = down_after  # accept this many messages, then stop listening
        self.received: Counter = Counter()  # recipient → messages accepted for it
        self.refused: set[str] = set()  # recipients answered 550
        self.lock = threading.Lock()
        self.server: socketserver.ThreadingTCPServer | None = None

    def start(self) -> None:
        smtp = self

        class Handler(socketserver.StreamRequestHandler):
            def reply(self, line: str) -> None:
                self.wfile.write(f"{line}\r\n".encode())

            def handle(self) -> None:
                self.reply("220 test ESMTP")
                recipients: list[str] = []
                while line := self.rfile.readline():
                    verb = line.decode(errors="replace").strip().split(" ", 1)[0].upper()
                    if verb in ("EHLO", "HELO"):
                        self.reply("250 test")
                    elif verb == "MAIL":
                        recipients = []
                        self.reply("250 OK")
                    elif verb == "RCPT":
                        recipient = line.decode().split(":", 1)[1].strip().strip("<>").lower()
                        if recipient in smtp.refused:
                            self.reply("550 5.1.1 no such mailbox")
                            continue
                        recipients.append(recipient)
                        self.reply("250 OK")
                    elif verb == "DATA":
                        self.reply("354 go ahead")
                        while (data := self.rfile.readline()) and data != b".\r\n":
                            pass
                        smtp.accepted(recipients)
                        self.reply("250 queued")
                    elif verb == "QUIT":
                        self.reply("221 bye")
                        return
                    else:  # RSET, NOOP
                        self.reply("250 OK")

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def accepted(self, recipients: list[str]) -> None:
        with self.lock:
            self.received.update(recipients)
            down = self.down_after is not None and sum(self.received.values()) >= self.down_after
        if down:
            self.down_after = None
            self.stop()  # the server goes away mid-send: the next connection is refused

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()
            self.server = None
