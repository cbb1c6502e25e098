"""SSRF guard: only global unicast addresses are reached, decided on the address actually connected to.

The test settings allow loopback only (EDGE_ALLOWED_NETWORKS), so the fakes on 127.0.0.1 work while
every other private form stays refused, embedded IPv4 included.
"""

import ipaddress
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.management import CommandError, call_command

from cms.ghost import GhostImages, PostSkipped
from edge.addresses import address_refusal, embedded_ipv4
from edge.http import RemoteFetchError, remote_request
from social.federation.fetch import FetchError, fetch_json, post_signed
from tests.conftest import free_port

REFUSED = [
    "100.64.0.1",  # carrier-grade NAT
    "100.100.100.200",  # a cloud's metadata service, inside 100.64.0.0/10
    "169.254.169.254",  # link-local metadata
    "10.0.0.1",
    "172.16.5.4",
    "192.168.1.1",
    "0.0.0.0",
    "224.0.0.1",
    "240.0.0.1",
    "::ffff:10.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "::a00:1",  # IPv4-compatible
    "2002:0a00:0001::",  # 6to4 of 10.0.0.1
    "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b::6464:64c8",  # NAT64 of 100.100.100.200
    "64:ff9b:1::a00:1",  # local-use NAT64
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
    "fc00::1",
    "fe80::1",
    "fec0::1",
    "ff02::1",
    "::",
]


@pytest.fixture
def local_server():
    """A server on 127.0.0.1 that records each request's Host header; /redirect sends to ?to=."""
    seen: list[dict] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            seen.append({"path": self.path, "host": self.headers.get("Host")})
            if self.path.startswith("/redirect?to="):
                self.send_response(302)
                self.send_header("Location", self.path.split("=", 1)[1])
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            body = b'{"id": "ok"}'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_POST = do_GET

    port = free_port()
    httpd = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    httpd.seen = seen
    httpd.base = f"http://127.0.0.1:{port}"
    httpd.port = port
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def _url(address: str, path: str = "/x") -> str:
    host = f"[{address}]" if ":" in address else address
    return f"http://{host}{path}"


@pytest.mark.parametrize("address", REFUSED)
def test_address_refusal_non_public_refused_even_in_test_mode(address):
    assert address_refusal(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address",
    ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "2002:5db8:d822::1", "64:ff9b::5db8:d822"],
)
def test_address_refusal_public_addresses_allowed(address):
    assert address_refusal(ipaddress.ip_address(address)) == ""


@pytest.mark.parametrize(
    ("address", "inner"),
    [
        ("::ffff:10.0.0.1", "10.0.0.1"),
        ("2002:0a00:0001::", "10.0.0.1"),
        ("64:ff9b::a00:1", "10.0.0.1"),
        ("2001:0:4136:e378:8000:63bf:f5ff:fffe", "10.0.0.1"),
    ],
)
def test_embedded_ipv4_found(address, inner):
    assert ipaddress.ip_address(inner) in embedded_ipv4(ipaddress.ip_address(address))


@pytest.mark.django_db
@pytest.mark.parametrize("address", REFUSED)
def test_fetch_json_non_public_address_refused_even_in_test_mode(address):
    with pytest.raises(FetchError, match="non-public"):
        fetch_json(_url(address), signed=False)


@pytest.mark.parametrize("address", ["100.100.100.200", "::ffff:10.0.0.1", "2002:0a00:0001::"])
def test_connection_itself_refuses_non_public_address(address):
    """remote_request has no early check: the refusal comes from the connection, before any socket."""
    with pytest.raises(RemoteFetchError, match="non-public"):
        remote_request("GET", _url(address))


def test_delivery_post_to_metadata_address_refused():
    with pytest.raises(FetchError, match="non-public"):
        post_signed("http://169.254.169.254/inbox", b"{}", {})


@pytest.mark.django_db
def test_loopback_refused_when_not_allow_listed(settings, local_server):
    settings.EDGE_ALLOWED_NETWORKS = []
    with pytest.raises(FetchError, match="non-public"):
        fetch_json(f"{local_server.base}/ok", signed=False)
    with pytest.raises(RemoteFetchError, match="non-public"):
        remote_request("GET", f"{local_server.base}/ok")
    assert local_server.seen == []


@pytest.fixture
def resolver(monkeypatch):
    """getaddrinfo (the OS's, not ours) answering for made-up names from a list of answers, one per call."""
    real = socket.getaddrinfo
    answers: dict[str, list[str]] = {}
    calls: list[str] = []

    def getaddrinfo(host, port, *args, **kwargs):
        if host not in answers:
            return real(host, port, *args, **kwargs)
        calls.append(host)
        address = answers[host].pop(0) if len(answers[host]) > 1 else answers[host][0]
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (address, int(port)))]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return answers, calls


@pytest.mark.django_db
def test_dns_rebinding_public_then_loopback_refused(settings, local_server, resolver):
    """Checked as a public address, then resolved to 127.0.0.1 to connect: the connection is refused."""
    settings.EDGE_ALLOWED_NETWORKS = []
    answers, calls = resolver
    answers["rebind.example"] = ["93.184.216.34", "127.0.0.1"]
    with pytest.raises(FetchError, match="non-public"):
        fetch_json(f"http://rebind.example:{local_server.port}/ok", signed=False)
    assert len(calls) >= 2
    assert local_server.seen == []


@pytest.mark.django_db
def test_connection_goes_to_the_checked_address_with_the_name_as_host(local_server, resolver):
    answers, _calls = resolver
    answers["pinned.example"] = ["127.0.0.1"]
    assert fetch_json(f"http://pinned.example:{local_server.port}/ok", signed=False) == {"id": "ok"}
    assert local_server.seen[-1]["host"] == f"pinned.example:{local_server.port}"


@pytest.mark.django_db
def test_redirect_to_metadata_address_refused(local_server):
    with pytest.raises(FetchError, match="non-public"):
        fetch_json(f"{local_server.base}/redirect?to=http://169.254.169.254/latest", signed=False)


@pytest.mark.django_db
def test_proxy_from_environment_not_used(monkeypatch, local_server):
    """A proxy would connect to an address we never checked: the environment's proxy settings are ignored."""
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:9")
    assert fetch_json(f"{local_server.base}/ok", signed=False) == {"id": "ok"}


@pytest.mark.parametrize("address", ["127.0.0.1", "169.254.169.254", "100.100.100.200", "::ffff:10.0.0.1"])
def test_ghost_image_fetch_refuses_non_public_addresses(settings, local_server, address):
    settings.EDGE_ALLOWED_NETWORKS = []
    src = (
        f"http://127.0.0.1:{local_server.port}/content/images/a.jpg"
        if address == "127.0.0.1"
        else _url(address)
    )
    with pytest.raises(PostSkipped, match="non-public"):
        GhostImages(images_dir=None, ghost_url=None).read(src)
    assert local_server.seen == []


def test_ghost_image_fetch_redirect_to_private_address_refused(local_server):
    with pytest.raises(PostSkipped, match="non-public"):
        GhostImages(images_dir=None, ghost_url=None).read(
            f"{local_server.base}/redirect?to=http://10.0.0.1/a.jpg"
        )


@pytest.mark.django_db
def test_product_import_from_metadata_address_refused():
    with pytest.raises(CommandError, match="non-public"):
        call_command("import_products", "http://169.254.169.254/latest/feed.json")


def _self_signed(tmp_path, name: str):
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return str(cert_path), str(key_path)


@pytest.fixture
def tls_server(tmp_path, local_server):
    """The local server behind TLS for "pinned.example", recording the SNI name each handshake sent."""
    import ssl

    cert, key = _self_signed(tmp_path, "pinned.example")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    names: list[str | None] = []
    context.sni_callback = lambda sock, name, ctx: names.append(name)
    local_server.socket = context.wrap_socket(local_server.socket, server_side=True)
    local_server.sni_names = names
    local_server.ca = cert
    return local_server


@pytest.mark.django_db
def test_https_to_the_checked_address_keeps_sni_and_certificate_name(monkeypatch, tls_server, resolver):
    """Connecting to the pinned address still sends the name for SNI and checks the certificate against it."""
    import edge.http

    answers, _calls = resolver
    answers["pinned.example"] = ["127.0.0.1"]
    answers["other.example"] = ["127.0.0.1"]
    # The test's own certificate trusted instead of certifi's bundle.
    monkeypatch.setattr(edge.http, "_pool", edge.http.pool_new(ca_certs=tls_server.ca))
    assert remote_request("GET", f"https://pinned.example:{tls_server.port}/ok").content == b'{"id": "ok"}'
    assert tls_server.sni_names[-1] == "pinned.example"
    assert tls_server.seen[-1]["host"] == f"pinned.example:{tls_server.port}"
    with pytest.raises(RemoteFetchError, match=r"certificate|hostname"):
        remote_request("GET", f"https://other.example:{tls_server.port}/ok")
