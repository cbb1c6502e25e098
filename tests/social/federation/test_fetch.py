"""Remote fetches: private addresses refused unless allowed, size cap, non-JSON refused."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from social.federation.fetch import FetchError, address_check, fetch_json
from tests.conftest import free_port


@pytest.fixture
def server():
    """A tiny server answering /big with 2 MB of JSON, /text with HTML and /ok with a small object."""
    port = free_port()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            bodies = {
                "/big": json.dumps({"x": "y" * 2_000_000}).encode(),
                "/text": b"<html></html>",
                "/ok": b'{"id": "ok"}',
            }
            body = bodies.get(self.path, b"")
            self.send_response(200 if body else 404)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/x",
        "http://10.1.2.3/x",
        "http://192.168.0.1/x",
        "http://169.254.169.254/latest",
        "http://[::1]/x",
    ],
)
def test_address_check_private_addresses_refused_by_default(settings, url):
    settings.EDGE_ALLOWED_NETWORKS = []
    with pytest.raises(FetchError, match="non-public"):
        address_check(url)


def test_address_check_non_http_refused(settings):
    with pytest.raises(FetchError, match="not an http"):
        address_check("file:///etc/passwd")


def test_address_check_allowed_when_network_listed(settings):
    settings.EDGE_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    address_check("http://127.0.0.1/x")


@pytest.mark.django_db
def test_fetch_json_refuses_loopback_when_not_allowed(settings, server):
    settings.EDGE_ALLOWED_NETWORKS = []
    with pytest.raises(FetchError, match="non-public"):
        fetch_json(f"{server}/ok")


@pytest.mark.django_db
def test_fetch_json_size_cap_and_non_json(settings, server):
    assert fetch_json(f"{server}/ok") == {"id": "ok"}
    with pytest.raises(FetchError, match="larger than"):
        fetch_json(f"{server}/big")
    with pytest.raises(FetchError, match="not JSON"):
        fetch_json(f"{server}/text")
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch_json(f"{server}/missing")
