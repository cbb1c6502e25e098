"""A local verifying inbox for the federation benchmarks: accepts POSTs on any path of any 127.x address,
verifies each HTTP signature (cavage or RFC 9421) against one known public key, and counts.

Run as a child process by bench/federation_fanout.py; GET /count answers "<ok> <rejected>".
"""

import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from social.federation.signatures import PublicKey, SignatureError, request_verify


def serve(port: int, key_id: str, owner: str, pem: str) -> None:
    key = PublicKey(key_id=key_id, owner=owner, pem=pem)
    counts = {"ok": 0, "rejected": 0, "hosts": set()}
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def do_GET(self):
            with lock:
                body = f"{counts['ok']} {counts['rejected']} {len(counts['hosts'])}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {name.lower(): value for name, value in self.headers.items()}
            url = f"http://{headers['host']}{self.path}"
            try:
                request_verify(
                    method="POST", url=url, headers=headers, body=body, lookup=lambda k, refresh: key
                )
                status = 202
            except SignatureError:
                status = 401
            with lock:
                counts["ok" if status == 202 else "rejected"] += 1
                counts["hosts"].add(headers["host"])
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

    ThreadingHTTPServer.daemon_threads = True
    ThreadingHTTPServer.request_queue_size = 512
    ThreadingHTTPServer(("0.0.0.0", port), Handler).serve_forever()


if __name__ == "__main__":
    port, key_id, owner, pem_path = sys.argv[1:5]
    with open(pem_path) as handle:
        serve(int(port), key_id, owner, handle.read())
