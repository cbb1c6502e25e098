"""A misbehaving remote on a real 127.0.0.1 port: drips bytes slowly, or answers far too much.

/drip/<name>          an actor document (with the fake remote's key), one byte every `interval` s
/drip-headers         the status line, then headers one byte every `interval` s
/huge                 `huge_bytes` of JSON, with an honest Content-Length
/huge-undeclared      the same, with no Content-Length (read until the connection closes)
/ok/<name>            the actor document at once
"""

import json
import threading
import time
from contextlib import suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import free_port
from tests.social.federation.fake_remote import _KEYS


class SlowRemote:
    def __init__(self, *, interval: float = 0.5, huge_bytes: int = 5_000_000):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.interval = interval
        self.huge_bytes = huge_bytes
        self.requests: list[str] = []
        self.private_pem, self.public_pem = _KEYS
        remote = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                remote.requests.append(self.path)
                with suppress(BrokenPipeError, ConnectionResetError):  # the client gave up, as it should
                    self._answer()

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.do_GET()

            def _answer(self):
                path = self.path.split("?")[0]
                if path.startswith(("/drip/", "/ok/")):
                    body = json.dumps(remote.actor_document(path.rsplit("/", 1)[1], path)).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/activity+json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    if path.startswith("/ok/"):
                        self.wfile.write(body)
                        return
                    for index in range(len(body)):
                        self.wfile.write(body[index : index + 1])
                        self.wfile.flush()
                        time.sleep(remote.interval)
                elif path.startswith(("/deep/", "/odd/")):
                    if path.startswith("/deep/"):
                        body = b"[" * 200_000 + b"]" * 200_000
                    else:
                        document = remote.actor_document(path.rsplit("/", 1)[1], path)
                        document["publicKey"] = "not a key object"
                        body = json.dumps(document).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/activity+json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                elif path == "/drip-headers":
                    self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                    for byte in b"X-Slow: " + b"a" * 10_000:
                        self.wfile.write(bytes([byte]))
                        self.wfile.flush()
                        time.sleep(remote.interval)
                elif path in ("/huge", "/huge-undeclared"):
                    self.send_response(200)
                    self.send_header("Content-Type", "application/activity+json")
                    if path == "/huge":
                        self.send_header("Content-Length", str(remote.huge_bytes))
                    else:
                        self.send_header("Connection", "close")
                    self.end_headers()
                    chunk = b" " * 65536
                    for _ in range(remote.huge_bytes // len(chunk)):
                        self.wfile.write(chunk)
                else:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def actor_document(self, name: str, path: str) -> dict:
        uri = f"{self.base}{path}"
        return {
            "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
            "id": uri,
            "type": "Person",
            "preferredUsername": name,
            "inbox": f"{uri}/inbox",
            "publicKey": {"id": f"{uri}#main-key", "owner": uri, "publicKeyPem": self.public_pem},
        }

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
