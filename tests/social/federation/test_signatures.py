"""Signature unit tests: sign → verify round trips in both schemes and every rejection reason."""

from datetime import UTC, datetime, timedelta

import pytest

from social.federation.keys import key_pair_generate
from social.federation.signatures import (
    CAVAGE,
    RFC9421,
    PublicKey,
    SignatureError,
    request_sign,
    request_verify,
    sign_cavage,
    sign_rfc9421,
)

KEY = key_pair_generate()
OTHER = key_pair_generate()
URL = "https://coop.example:8443/ap/inbox?x=1"
KEY_ID = "https://remote.example/users/alice#main-key"
OWNER = "https://remote.example/users/alice"
BODY = b'{"type":"Like"}'


def lookup_with(*pems):
    """A key lookup returning pems[0] first and pems[1] on refresh (a rotated key)."""
    calls = []

    def lookup(key_id, refresh):
        calls.append(refresh)
        pem = pems[1] if refresh and len(pems) > 1 else pems[0]
        return PublicKey(key_id=key_id, owner=OWNER, pem=pem) if pem else None

    lookup.calls = calls
    return lookup


def signed(scheme, *, body=BODY, now=None, url=URL, key=KEY[0]):
    sign = sign_rfc9421 if scheme == RFC9421 else sign_cavage
    headers = sign(method="POST", url=url, body=body, key_id=KEY_ID, private_key_pem=key, now=now)
    return {name.lower(): value for name, value in headers.items()}


def verify(headers, *, body=BODY, lookup=None, url=URL):
    return request_verify(
        method="POST", url=url, headers=headers, body=body, lookup=lookup or lookup_with(KEY[1])
    )


@pytest.mark.parametrize("scheme", [CAVAGE, RFC9421])
def test_request_verify_signed_request_round_trips(scheme):
    verified = verify(signed(scheme))
    assert (verified.key_id, verified.owner, verified.scheme) == (KEY_ID, OWNER, scheme)


@pytest.mark.parametrize("scheme", [CAVAGE, RFC9421])
def test_request_verify_changed_body_rejects_digest(scheme):
    with pytest.raises(SignatureError, match="igest does not match"):
        verify(signed(scheme), body=b'{"type":"Announce"}')


@pytest.mark.parametrize("scheme", [CAVAGE, RFC9421])
def test_request_verify_wrong_key_rejects(scheme):
    with pytest.raises(SignatureError, match="does not verify"):
        verify(signed(scheme, key=OTHER[0]))


@pytest.mark.parametrize("scheme", [CAVAGE, RFC9421])
def test_request_verify_other_target_rejects(scheme):
    with pytest.raises(SignatureError, match="does not verify"):
        verify(signed(scheme), url="https://coop.example:8443/ap/users/blog/inbox")


@pytest.mark.parametrize("scheme", [CAVAGE, RFC9421])
def test_request_verify_old_signature_rejects(scheme):
    headers = signed(scheme, now=datetime.now(UTC) - timedelta(minutes=6))
    with pytest.raises(SignatureError, match="5 minutes off"):
        verify(headers)


def test_request_verify_date_within_skew_accepts():
    verify(signed(CAVAGE, now=datetime.now(UTC) - timedelta(minutes=4)))


def test_request_verify_future_date_rejects():
    with pytest.raises(SignatureError, match="5 minutes off"):
        verify(signed(CAVAGE, now=datetime.now(UTC) + timedelta(minutes=6)))


def test_request_verify_unsigned_request_rejects():
    with pytest.raises(SignatureError, match="not signed"):
        verify({"date": "x", "digest": "y"})


def test_request_verify_unknown_key_rejects():
    with pytest.raises(SignatureError, match="cannot be found"):
        verify(signed(CAVAGE), lookup=lookup_with(None))


def test_request_verify_cavage_unsigned_digest_rejects():
    headers = signed(CAVAGE)
    headers["signature"] = headers["signature"].replace("host date digest", "host date")
    with pytest.raises(SignatureError, match="Digest is not signed"):
        verify(headers)


def test_request_verify_cavage_tampered_signed_header_rejects():
    headers = signed(CAVAGE)
    headers["host"] = "evil.example"
    with pytest.raises(SignatureError, match="does not verify"):
        verify(headers)


@pytest.mark.parametrize("scheme", [CAVAGE, RFC9421])
def test_request_verify_rotated_key_refetches_once(scheme):
    lookup = lookup_with(OTHER[1], KEY[1])  # cached key is stale, the refetched one is current
    verified = verify(signed(scheme), lookup=lookup)
    assert verified.owner == OWNER
    assert lookup.calls == [False, True]


def test_request_verify_refetched_key_still_wrong_rejects():
    lookup = lookup_with(OTHER[1], OTHER[1])
    with pytest.raises(SignatureError, match="does not verify"):
        verify(signed(CAVAGE), lookup=lookup)
    assert lookup.calls == [False, True]


def test_request_sign_get_without_body_round_trips():
    headers = request_sign(
        scheme=CAVAGE, method="GET", url=URL, body=None, key_id=KEY_ID, private_key_pem=KEY[0]
    )
    assert "Digest" not in headers
    lower = {name.lower(): value for name, value in headers.items()}
    verified = request_verify(method="GET", url=URL, headers=lower, body=b"", lookup=lookup_with(KEY[1]))
    assert verified.scheme == CAVAGE


def test_sign_cavage_signs_request_target_host_date_digest():
    headers = sign_cavage(method="POST", url=URL, body=BODY, key_id=KEY_ID, private_key_pem=KEY[0])
    assert 'headers="(request-target) host date digest"' in headers["Signature"]
    assert headers["Host"] == "coop.example:8443"
    assert headers["Digest"].startswith("SHA-256=")


def test_request_verify_cavage_with_signed_content_digest_accepts_and_checks_it():
    import base64
    import hashlib

    from social.federation.keys import private_key_load

    headers = signed(CAVAGE)
    digest = "sha-256=:" + base64.b64encode(hashlib.sha256(BODY).digest()).decode() + ":"
    lines = [
        "(request-target): post /ap/inbox?x=1",
        f"host: {headers['host']}",
        f"date: {headers['date']}",
        f"content-digest: {digest}",
    ]
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    signature = private_key_load(KEY[0]).sign("\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
    headers.pop("digest")
    headers["content-digest"] = digest
    headers["signature"] = (
        f'keyId="{KEY_ID}",algorithm="rsa-sha256",headers="(request-target) host date content-digest",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    assert verify(headers).scheme == CAVAGE
    with pytest.raises(SignatureError, match="Content-Digest does not match"):
        verify(headers, body=b"{}")


def test_request_verify_rfc9421_not_covering_target_rejects():
    from http_message_signatures import HTTPMessageSigner, algorithms

    from social.federation.signatures import _Message, _OneKey

    message = _Message("POST", URL, {})
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.RSA_V1_5_SHA256, key_resolver=_OneKey(private_pem=KEY[0])
    )
    signer.sign(message, key_id=KEY_ID, covered_component_ids=("@method",), body=BODY)
    headers = {name.lower(): value for name, value in message.headers.items()}
    with pytest.raises(SignatureError, match="does not cover"):
        verify(headers)


@pytest.mark.parametrize(
    "url",
    [
        URL,
        "https://Remote.EXAMPLE:443/users/alice/inbox",  # case and default port normalised
        "http://127.0.1.1:8080/inbox",
        "https://remote.example",  # no path: "/"
        "https://remote.example/inbox?",  # an empty query is not covered
        "http://remote.example:0080/inbox",
        "https://remote.example/p%C3%A9?q=%20",  # percent escapes: through the library
        "https://remote.example/inbox#frag",  # a fragment: through the library
    ],
)
@pytest.mark.parametrize("body", [BODY, b"", None])
def test_sign_rfc9421_matches_the_library_byte_for_byte(url, body):
    """Our direct formatting of the signature base (rfc9421.py) signs exactly what http-message-signatures
    would: RSA PKCS#1 v1.5 is deterministic, so equal headers mean an equal signature base."""
    from http_message_signatures import HTTPMessageSigner, algorithms

    from social.federation.keys import private_key_load
    from social.federation.rfc9421 import sign_plain
    from social.federation.signatures import _Message, _OneKey

    now = datetime(2026, 11, 1, tzinfo=UTC)
    key_id = KEY_ID + '"\\'  # quotes and backslashes are escaped in the keyid parameter
    ours = sign_rfc9421(method="post", url=url, body=body, key_id=key_id, private_key_pem=KEY[0], now=now)
    message = _Message("POST", url, {})
    HTTPMessageSigner(
        signature_algorithm=algorithms.RSA_V1_5_SHA256, key_resolver=_OneKey(private_pem=KEY[0])
    ).sign(
        message,
        key_id=key_id,
        created=now,
        label="sig1",
        covered_component_ids=("@method", "@authority", "@path")
        + (("@query",) if "?q" in url or "?x" in url else ()),
        body=body,
    )
    assert list(ours.items()) == list(message.headers.items())
    plain = sign_plain(
        method="POST", url=url, body=body, key_id=key_id, key=private_key_load(KEY[0]), created=1
    )
    assert (plain is None) == ("%" in url or "#" in url)  # the plain ones were formatted directly
