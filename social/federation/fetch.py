"""Outbound HTTP: remote fetches and POSTs with timeouts, a size cap and no private addresses."""

import ipaddress
import json
import socket
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter

from . import ids

USER_AGENT = "RoseAsh-Federation/1.0 (+{site})"
# One session per process, shared by its threads: keep-alive connections outlive a task. requests keeps
# only 10 hosts' pools by default; a fan-out reaches hundreds of hosts, and each one evicted is a new
# TCP (and TLS) handshake the next time an activity goes there.
_session = requests.Session()
for _scheme in ("http://", "https://"):
    _session.mount(_scheme, HTTPAdapter(pool_connections=256, pool_maxsize=8))


class FetchError(Exception):
    """A remote fetch or POST could not be made or was refused."""


def _setting(name: str, default):
    return getattr(settings, name, default)


def address_check(url: str) -> None:
    """Refuse URLs that are not http(s) or resolve to private, loopback or link-local addresses."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(f"not an http(s) URL: {url!r}")
    if _setting("FEDERATION_ALLOW_PRIVATE_ADDRESSES", False):
        return
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        raise FetchError(f"cannot resolve {parts.hostname}: {exc}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if (
            address.is_private
            or address.is_loopback
            or address.is_link_local
            or address.is_reserved
            or address.is_multicast
            or address.is_unspecified
        ):
            raise FetchError(f"{parts.hostname} resolves to a non-public address ({address})")


def _timeout() -> tuple[float, float]:
    return (_setting("FEDERATION_CONNECT_TIMEOUT", 5.0), _setting("FEDERATION_READ_TIMEOUT", 10.0))


def _user_agent() -> str:
    return USER_AGENT.format(site=settings.SITE_URL)


def fetch_json(url: str, *, signed: bool = True) -> dict:
    """GET an ActivityPub document (signed as @blog, for servers with authorized fetch)."""
    return fetch_document(url, signed=signed)[1]


def fetch_document(url: str, *, signed: bool = True) -> tuple[str, dict]:
    """fetch_json, and the URL the document was finally served from (after redirects): the origin
    that speaks for it (see origins.remote_document_fetch)."""
    from .actors import local_actor_get  # actors import fetch for remote keys

    limit = _setting("FEDERATION_MAX_FETCH_BYTES", 1_000_000)
    for _hop in range(4):
        address_check(url)
        headers = {
            "Accept": f'{ids.ACTIVITY_JSON}, application/ld+json; profile="{ids.AS_CONTEXT}"',
            "User-Agent": _user_agent(),
        }
        if signed:
            from .signatures import CAVAGE, request_sign

            blog = local_actor_get("blog")
            headers |= request_sign(
                scheme=CAVAGE,
                method="GET",
                url=url,
                body=None,
                key_id=ids.actor_key_id(blog.username),
                private_key_pem=blog.private_key_pem,
            )
        try:
            response = _session.get(
                url, headers=headers, timeout=_timeout(), stream=True, allow_redirects=False
            )
        except requests.RequestException as exc:
            raise FetchError(f"GET {url}: {exc}") from None
        with response:
            if response.is_redirect and "location" in response.headers:
                url = urljoin(url, response.headers["location"])
                continue
            if response.status_code != 200:
                raise FetchError(f"GET {url}: HTTP {response.status_code}")
            body = b""
            for chunk in response.iter_content(65536):
                body += chunk
                if len(body) > limit:
                    raise FetchError(f"GET {url}: larger than {limit} bytes")
        try:
            document = json.loads(body)
        except ValueError:
            raise FetchError(f"GET {url}: not JSON") from None
        if not isinstance(document, dict):
            raise FetchError(f"GET {url}: not a JSON object")
        return url, document
    raise FetchError(f"GET {url}: too many redirects")


def post_signed(url: str, body: bytes, headers: dict[str, str]) -> requests.Response:
    """POST an already signed body (the caller signs; this only checks the address and sends)."""
    address_check(url)
    headers = {"Content-Type": ids.ACTIVITY_JSON, "User-Agent": _user_agent(), **headers}
    return _session.post(url, data=body, headers=headers, timeout=_timeout(), allow_redirects=False)
