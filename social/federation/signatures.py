"""HTTP signatures: draft-cavage rsa-sha256 with Digest, and RFC 9421 (through http-message-signatures).

Signing returns the headers to send; verification takes a request as (method, url, headers, body) and a
key lookup, and raises SignatureError with the reason (the inbox answers 401 with it).
"""

import base64
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import formatdate, parsedate_to_datetime
from urllib.parse import urlsplit

from cryptography.exceptions import InvalidSignature as CryptoInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from http_message_signatures import (
    HTTPMessageSigner,
    HTTPMessageVerifier,
    HTTPSignatureKeyResolver,
    InvalidSignature,
    algorithms,
)

from .keys import private_key_load, public_key_load
from .rfc9421 import sign_plain

CAVAGE = "cavage"
RFC9421 = "rfc9421"
MAX_SKEW = timedelta(minutes=5)


class SignatureError(Exception):
    """The request's signature is missing or does not hold; `reason` says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class BadSignature(SignatureError):
    """The cryptographic check failed: the one failure worth refetching the key for."""


@dataclass(frozen=True)
class PublicKey:
    key_id: str
    owner: str  # the actor id that claims the key
    pem: str
    # The owner's document when the key was fetched just now: stored only once a signature verifies.
    document: dict | None = field(default=None, compare=False, hash=False, repr=False)


@dataclass(frozen=True)
class VerifiedSignature:
    key_id: str
    owner: str
    scheme: str
    document: dict | None = field(default=None, compare=False, hash=False, repr=False)


# key_id, refresh → the key, or None when it cannot be found. refresh=True asks for a fresh fetch.
KeyLookup = Callable[[str, bool], PublicKey | None]


def body_digest(body: bytes) -> str:
    return "SHA-256=" + base64.b64encode(hashlib.sha256(body).digest()).decode()


def _request_target(method: str, url: str) -> str:
    parts = urlsplit(url)
    return f"{method.lower()} {parts.path or '/'}" + (f"?{parts.query}" if parts.query else "")


# --- draft-cavage-http-signatures ----------------------------------------------------------------


def sign_cavage(
    *,
    method: str,
    url: str,
    body: bytes | None,
    key_id: str,
    private_key_pem: str,
    now: datetime | None = None,
) -> dict[str, str]:
    """Headers (Host, Date, Digest when there is a body, Signature) for a cavage rsa-sha256 request."""
    headers = {
        "Host": urlsplit(url).netloc,
        "Date": formatdate((now or datetime.now(UTC)).timestamp(), usegmt=True),
    }
    names = ["(request-target)", "host", "date"]
    if body is not None:
        headers["Digest"] = body_digest(body)
        names.append("digest")
    lines = [f"(request-target): {_request_target(method, url)}"]
    lines += [f"{name}: {headers[name.title()]}" for name in names[1:]]
    signature = private_key_load(private_key_pem).sign(
        "\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256()
    )
    headers["Signature"] = (
        f'keyId="{key_id}",algorithm="rsa-sha256",headers="{" ".join(names)}",'
        f'signature="{base64.b64encode(signature).decode()}"'
    )
    return headers


_PARAM = re.compile(r'(\w+)="([^"]*)"|(\w+)=(\d+)')


def _parse_cavage(value: str) -> dict[str, str]:
    params = {}
    for match in _PARAM.finditer(value):
        if match.group(1):
            params[match.group(1)] = match.group(2)
        else:
            params[match.group(3)] = match.group(4)
    return params


def _check_date(headers: Mapping[str, str], now: datetime) -> None:
    if "date" not in headers:
        return
    try:
        sent = parsedate_to_datetime(headers["date"])
    except (TypeError, ValueError):
        raise SignatureError("unparseable Date header") from None
    if sent.tzinfo is None:
        sent = sent.replace(tzinfo=UTC)
    if abs(now - sent) > MAX_SKEW:
        raise SignatureError("Date header is more than 5 minutes off")


def _check_digest(headers: Mapping[str, str], body: bytes) -> None:
    sent = headers.get("digest", "")
    for part in sent.split(","):
        algorithm, _, value = part.strip().partition("=")
        if algorithm.upper() == "SHA-256":
            if f"SHA-256={value}" != body_digest(body):
                raise SignatureError("Digest does not match the body")
            return
    raise SignatureError("missing SHA-256 Digest header")


def _check_content_digest(headers: Mapping[str, str], body: bytes) -> None:
    expected = base64.b64encode(hashlib.sha256(body).digest()).decode()
    for part in headers.get("content-digest", "").split(","):
        algorithm, _, value = part.strip().partition("=")
        if algorithm.lower() == "sha-256":
            if value.strip(":") != expected:
                raise SignatureError("Content-Digest does not match the body")
            return
    raise SignatureError("missing sha-256 Content-Digest header")


def _verify_cavage(method, url, headers, body, lookup: KeyLookup, now) -> VerifiedSignature:
    params = _parse_cavage(headers["signature"])
    key_id, signature_b64 = params.get("keyId"), params.get("signature")
    if not key_id or not signature_b64:
        raise SignatureError("Signature header lacks keyId or signature")
    if params.get("algorithm", "rsa-sha256") not in ("rsa-sha256", "hs2019"):
        raise SignatureError(f"unsupported algorithm {params.get('algorithm')!r}")
    names = params.get("headers", "date").lower().split()
    if "(request-target)" not in names:
        raise SignatureError("(request-target) is not signed")
    if "date" not in names and "(created)" not in names:
        raise SignatureError("neither Date nor (created) is signed")
    if body and "digest" not in names and "content-digest" not in names:
        raise SignatureError("the body's Digest is not signed")
    _check_date(headers, now)
    if "(created)" in names:
        created = datetime.fromtimestamp(int(params.get("created", "0")), UTC)
        if abs(now - created) > MAX_SKEW:
            raise SignatureError("(created) is more than 5 minutes off")
    if body:
        if "digest" in names:
            _check_digest(headers, body)
        else:
            _check_content_digest(headers, body)
    lines = []
    for name in names:
        if name == "(request-target)":
            lines.append(f"{name}: {_request_target(method, url)}")
        elif name in ("(created)", "(expires)"):
            lines.append(f"{name}: {params.get(name[1:-1], '')}")
        elif name in headers:
            lines.append(f"{name}: {headers[name]}")
        else:
            raise SignatureError(f"signed header {name!r} is missing")
    signing_string = "\n".join(lines).encode()
    try:
        signature = base64.b64decode(signature_b64, validate=True)
    except ValueError:
        raise SignatureError("signature is not base64") from None

    def check(key: PublicKey) -> None:
        public = public_key_load(key.pem)
        if not isinstance(public, rsa.RSAPublicKey):
            raise SignatureError("only RSA keys are supported")
        try:
            public.verify(signature, signing_string, padding.PKCS1v15(), hashes.SHA256())
        except CryptoInvalidSignature:
            raise BadSignature("signature does not verify") from None

    key = _with_refetch(key_id, lookup, check)
    return VerifiedSignature(key_id=key_id, owner=key.owner, scheme=CAVAGE, document=key.document)


# --- RFC 9421 -------------------------------------------------------------------------------------


class _Message:
    """The request shape http-message-signatures reads: method, url, headers."""

    def __init__(self, method: str, url: str, headers):
        self.method = method.upper()
        self.url = url
        self.headers = headers


class _OneKey(HTTPSignatureKeyResolver):
    def __init__(self, private_pem: str | None = None, public_pem: str | None = None):
        self.private_pem, self.public_pem = private_pem, public_pem

    def resolve_private_key(self, key_id: str):
        return private_key_load(self.private_pem)

    def resolve_public_key(self, key_id: str):
        return public_key_load(self.public_pem)


class _Verifier(HTTPMessageVerifier):
    max_clock_skew = MAX_SKEW


def sign_rfc9421(
    *,
    method: str,
    url: str,
    body: bytes | None,
    key_id: str,
    private_key_pem: str,
    now: datetime | None = None,
) -> dict[str, str]:
    """Headers (Content-Digest when there is a body, Signature-Input, Signature) for an RFC 9421 request."""
    created = now or datetime.now(UTC)
    plain = sign_plain(
        method=method,
        url=url,
        body=body,
        key_id=key_id,
        key=private_key_load(private_key_pem),
        created=int(created.timestamp()),
    )
    if plain is not None:  # our usual request: formatted directly (rfc9421.py says why)
        return plain
    message = _Message(method, url, {})
    signer = HTTPMessageSigner(
        signature_algorithm=algorithms.RSA_V1_5_SHA256, key_resolver=_OneKey(private_pem=private_key_pem)
    )
    signer.sign(
        message,
        key_id=key_id,
        created=created,
        label="sig1",
        # @authority + @path (+ @query) rather than @target-uri: more implementations understand them.
        covered_component_ids=("@method", "@authority", "@path")
        + (("@query",) if urlsplit(url).query else ()),
        body=body,
    )
    return dict(message.headers)


def _verify_rfc9421(method, url, headers, body, lookup: KeyLookup) -> VerifiedSignature:
    message = _Message(method, url, dict(headers.items()))
    try:
        members = list(_Verifier._parse_signature_dictionary(headers["signature-input"]).values())
        key_id = members[0].params.get("keyid") if members else None
    except Exception:
        raise SignatureError("malformed Signature-Input") from None
    if not key_id:
        raise SignatureError("Signature-Input lacks keyid")

    def check(key: PublicKey) -> None:
        verifier = _Verifier(
            signature_algorithm=algorithms.RSA_V1_5_SHA256, key_resolver=_OneKey(public_pem=key.pem)
        )
        try:
            results = verifier.verify(message, max_age=timedelta(0), body=body if body else None)
        except InvalidSignature as exc:
            text = str(exc)
            if "igest" in text:
                raise SignatureError(f"Content-Digest does not match the body: {text}") from None
            if '"created"' in text or "maximum allowable age" in text or '"expires"' in text:
                raise SignatureError("signature created more than 5 minutes off") from None
            raise BadSignature(f"signature does not verify: {text}") from None
        covered = {name.split(";")[0].strip('"') for name in results[0].covered_components}
        if "@method" not in covered or not ("@target-uri" in covered or {"@authority", "@path"} <= covered):
            raise SignatureError("the signature does not cover the method and target")

    key = _with_refetch(key_id, lookup, check)
    return VerifiedSignature(key_id=key_id, owner=key.owner, scheme=RFC9421, document=key.document)


# --- both -----------------------------------------------------------------------------------------


def _with_refetch(key_id: str, lookup: KeyLookup, check: Callable[[PublicKey], None]) -> PublicKey:
    """Check against the cached key; on a cryptographic failure refetch it once (it may have rotated)."""
    key = lookup(key_id, False)
    if key is None:
        raise SignatureError("the signing key cannot be found")
    try:
        check(key)
        return key
    except BadSignature:
        fresh = lookup(key_id, True)
        if fresh is None or fresh.pem == key.pem:
            raise
        check(fresh)
        return fresh


def signature_scheme(headers: Mapping[str, str]) -> str | None:
    if "signature-input" in headers:
        return RFC9421
    if "signature" in headers:
        return CAVAGE
    return None


def request_verify(
    *,
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    lookup: KeyLookup,
    now: datetime | None = None,
) -> VerifiedSignature:
    """Verify a request signed in either scheme. `headers` must be case-insensitive (lower-case keys)."""
    now = now or datetime.now(UTC)
    scheme = signature_scheme(headers)
    if scheme is None:
        raise SignatureError("the request is not signed")
    if scheme == RFC9421:
        _check_date(headers, now)
        return _verify_rfc9421(method, url, headers, body, lookup)
    return _verify_cavage(method, url, headers, body, lookup, now)


def request_sign(
    *, scheme: str, method: str, url: str, body: bytes | None, key_id: str, private_key_pem: str
) -> dict[str, str]:
    sign = sign_rfc9421 if scheme == RFC9421 else sign_cavage
    headers = sign(method=method, url=url, body=body, key_id=key_id, private_key_pem=private_key_pem)
    if scheme == RFC9421:
        headers.setdefault("Date", formatdate(usegmt=True))
    return headers
