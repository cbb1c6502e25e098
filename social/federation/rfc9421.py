"""RFC 9421 signatures of our own requests, formatted directly instead of through the generic library.

http-message-signatures builds every signature through its structured-field serialisers, character by
character, and then builds it a second time to check it: several times the CPU of the RSA signature
itself, paid a thousand times in a fan-out. Our requests always have one shape (the method, authority,
path, the query if any, and the Content-Digest of a body; created, keyid and alg), so the signature base
is written here as RFC 9421 section 2.5 lays it out. A URL or key id outside the plain shape this covers
returns None and the caller signs through the library; tests check both give byte-identical headers.
"""

import base64
import hashlib
import re

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

ALGORITHM = "rsa-v1_5-sha256"
LABEL = "sig1"
# An absolute http(s) URL of plain characters: nothing for a serialiser to escape or refuse (no percent
# escapes, user info, fragment, IPv6 literal or upper-case scheme).
_PLAIN_URL = re.compile(
    r"(?P<scheme>https?)://(?P<host>[A-Za-z0-9.\-]+)(?::(?P<port>[0-9]+))?"
    r"(?P<path>/[A-Za-z0-9._~!$&'()*+,;=:@/\-]*)?(?:\?(?P<query>[A-Za-z0-9._~!$&'()*+,;=:@/?\-]*))?"
)
_PLAIN_KEY_ID = re.compile(r"[\x20-\x7e]*")  # a structured-field string: printable ASCII
_DEFAULT_PORTS = {"http": "80", "https": "443"}


def content_digest(body: bytes) -> str:
    return "sha-256=:" + base64.b64encode(hashlib.sha256(body).digest()).decode() + ":"


def sign_plain(
    *, method: str, url: str, body: bytes | None, key_id: str, key: rsa.RSAPrivateKey, created: int
) -> dict[str, str] | None:
    """The headers (Content-Digest when there is a body, Signature-Input, Signature), or None when the
    URL or key id is not of the plain shape written here."""
    match = _PLAIN_URL.fullmatch(url)
    if match is None or not _PLAIN_KEY_ID.fullmatch(key_id):
        return None
    scheme, port = match["scheme"], match["port"]
    authority = match["host"].lower()
    if port and port.lstrip("0") != _DEFAULT_PORTS[scheme]:
        authority += f":{port}"
    lines = [f'"@method": {method.upper()}', f'"@authority": {authority}', f'"@path": {match["path"] or "/"}']
    components = ['"@method"', '"@authority"', '"@path"']
    if match["query"]:  # as sign_rfc9421 chooses: an empty query is not covered
        lines.append(f'"@query": ?{match["query"]}')
        components.append('"@query"')
    headers = {}
    if body is not None:
        headers["Content-Digest"] = content_digest(body)
        lines.append(f'"content-digest": {headers["Content-Digest"]}')
        components.append('"content-digest"')
    quoted_key_id = key_id.replace("\\", "\\\\").replace('"', '\\"')
    params = f'({" ".join(components)});created={created};keyid="{quoted_key_id}";alg="{ALGORITHM}"'
    lines.append(f'"@signature-params": {params}')
    signature = key.sign("\n".join(lines).encode(), padding.PKCS1v15(), hashes.SHA256())
    headers["Signature-Input"] = f"{LABEL}={params}"
    headers["Signature"] = f"{LABEL}=:{base64.b64encode(signature).decode()}:"
    return headers
