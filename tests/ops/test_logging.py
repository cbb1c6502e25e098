"""Production logs one JSON object per line, each with the request id; Sentry only with a DSN."""

import gzip
import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.home.test_settings import ROOT, production_env

_LOG = """
import logging, django
django.setup()
from ops.request_id import request_id_var
request_id_var.set("trace-7")
logging.getLogger("social.engine").warning("flow %s failed", 12)
import sys
print("sentry loaded" if "sentry_sdk" in sys.modules else "no sentry")
if "sentry_sdk" in sys.modules:
    import sentry_sdk
    logging.getLogger("social.engine").error("delivery broke")
    sentry_sdk.flush(5)
"""


def _run(tmp_path, **env) -> subprocess.CompletedProcess:
    environment = production_env(DATABASE_URL=f"sqlite:///{tmp_path / 'unused.sqlite3'}", **env)
    clean = {k: v for k, v in __import__("os").environ.items() if not k.startswith(("DJANGO_", "SENTRY"))}
    return subprocess.run(
        [sys.executable, "-c", _LOG],
        cwd=ROOT,
        env={**clean, **environment},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_logging_in_production_is_json_with_the_request_id(tmp_path):
    result = _run(tmp_path)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stderr.strip().splitlines()[-1])
    assert record["level"] == "WARNING"
    assert record["logger"] == "social.engine"
    assert record["message"] == "flow 12 failed"
    assert record["request_id"] == "trace-7"
    assert "time" in record
    assert result.stdout.strip() == "no sentry"


def test_logging_in_production_can_be_plain(tmp_path):
    result = _run(tmp_path, DJANGO_LOG_FORMAT="plain")
    assert "WARNING [trace-7] social.engine: flow 12 failed" in result.stderr


class _FakeSentry:
    """Takes Sentry envelopes over HTTP on 127.0.0.1, as sentry.io's ingest would."""

    def __init__(self):
        self.envelopes: list[str] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                fake.envelopes.append(body.decode(errors="replace"))
                self.send_response(200)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()


def test_logging_errors_reach_sentry_when_a_dsn_is_set(tmp_path):
    sentry = _FakeSentry()
    try:
        result = _run(tmp_path, SENTRY_DSN=f"http://publickey@127.0.0.1:{sentry.port}/1")
    finally:
        sentry.stop()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "sentry loaded"
    assert any("delivery broke" in envelope for envelope in sentry.envelopes), sentry.envelopes
