"""Interoperability with an independent ActivityPub implementation: `bovine` (PyPI), run from its own
virtualenv (it pins an older `cryptography` than ours), against our site served over https by
gunicorn with a certificate from a locally generated CA.

Set up once with:
    python3.11 -m venv var/fed-interop-venv
    var/fed-interop-venv/bin/pip install bovine==0.5.19 http-sf==1.0.1
(or point FEDERATION_INTEROP_PYTHON at a Python that has bovine).
"""

import datetime
import ipaddress
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from social.federation.models import Follow
from tests.conftest import free_port
from tests.workers import shared_database_url

ROOT = Path(__file__).resolve().parents[3]
INTEROP_PYTHON = os.environ.get("FEDERATION_INTEROP_PYTHON", str(ROOT / "var/fed-interop-venv/bin/python"))


def _has_bovine() -> bool:
    if not Path(INTEROP_PYTHON).exists():
        return False
    return subprocess.run([INTEROP_PYTHON, "-c", "import bovine"], capture_output=True).returncode == 0


def _pem(obj) -> bytes:
    if isinstance(obj, rsa.RSAPrivateKey):
        return obj.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    return obj.public_bytes(serialization.Encoding.PEM)


def local_ca_and_cert(directory: Path) -> tuple[Path, Path, Path]:
    """A throwaway CA and a certificate for localhost/127.0.0.1 signed by it."""
    now = datetime.datetime.now(datetime.UTC)
    ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Rose Ash test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(True, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    paths = directory / "ca.pem", directory / "cert.pem", directory / "key.pem"
    paths[0].write_bytes(_pem(ca))
    paths[1].write_bytes(_pem(cert))
    paths[2].write_bytes(_pem(key))
    return paths


@pytest.mark.django_db(transaction=True)
def test_bovine_finds_follows_and_verifies_our_signed_accept(tmp_path):
    if not _has_bovine():
        pytest.skip(f"no bovine at {INTEROP_PYTHON} (see this module's docstring)")
    ca, cert, key = local_ca_and_cert(tmp_path)
    port = free_port()
    site = f"https://localhost:{port}"
    env = {
        key_: value
        for key_, value in os.environ.items()
        if key_ not in ("REDIS_URL",)  # eager tasks: our Accept goes out as the Follow commits
    } | {
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": shared_database_url(),
        "SITE_URL": site,
        "DJANGO_ALLOWED_HOSTS": "localhost,127.0.0.1",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "--threads", "4",
         "--certfile", str(cert), "--keyfile", str(key), "--log-level", "warning"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    try:
        for _ in range(150):
            try:
                requests.get(f"{site}/nodeinfo/2.1", verify=str(ca), timeout=1)
                break
            except requests.RequestException:
                time.sleep(0.2)
        result = subprocess.run(
            [
                INTEROP_PYTHON,
                str(Path(__file__).with_name("interop_bovine.py")),
                site,
                str(ca),
                str(free_port()),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
        if result.returncode != 0:
            from social.federation.models import DeliveryAttempt, InboxItem

            seen_here = [(i.activity_type, i.state, i.last_error) for i in InboxItem.objects.all()]
            attempts = [(a.scheme, a.status, a.error[:200]) for a in DeliveryAttempt.objects.all()]
            raise AssertionError(f"{result.stderr[-1500:]}\ninbox: {seen_here}\nattempts: {attempts}")
        seen = json.loads(result.stdout.strip().splitlines()[-1])
    finally:
        server.terminate()
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
    assert seen["actor"] == f"{site}/ap/users/blog"
    assert seen["preferredUsername"] == "blog"
    assert seen["follow_status"] == 202
    assert seen["accept_type"] == "Accept"
    assert seen["accept_object"] == seen["follow_id"]
    assert seen["verified_owner"] == f"{site}/ap/users/blog"  # bovine's own signature check passed
    assert Follow.objects.get().state == "accepted"
