"""Origins of remote ids (scheme, host, port): a remote server speaks only for ids on its own origin.

Mastodon's rule, held wherever a remote document or activity is accepted: what a server says about an
id counts only when the id is on that server. Host names compare lower-cased and without the trailing
dot of a fully qualified name ("Evil.Example." is "evil.example"); default ports compare equal.
"""

from contextlib import suppress
from urllib.parse import urlsplit

import idna

from edge.urls import authority_ambiguous

DEFAULT_PORTS = {"http": 80, "https": 443}


def hostname_normalise(hostname: str) -> str:
    """A host name as blocks, Host rows and origins compare it: lower-case, no trailing dot, and an
    internationalised name in its punycode form ("ÉVIL.example" is "xn--vil-9la.example"), since a
    server may spell itself either way and a block must hold for both."""
    hostname = hostname.strip().lower().rstrip(".")
    if not hostname.isascii():
        # UTS 46 maps what browsers and resolvers map (case, full-width and ideographic dots); a name
        # IDNA refuses reaches no resolver either, and is compared as written.
        with suppress(idna.IDNAError, UnicodeError):
            hostname = idna.encode(hostname, uts46=True).decode("ascii").rstrip(".")
    return hostname


def domain_normalise(domain: str) -> str:
    """ "Sub.Evil.Example.:8443 " → "sub.evil.example:8443": a host[:port] as stored and compared."""
    domain = domain.strip().lower()
    if "://" in domain:  # a URL pasted where a domain was asked for
        return host_domain(domain)
    host, sep, port = domain.rpartition(":")
    if sep and port.isdigit() and not host.endswith("]") and ":" not in host:
        if int(port) in DEFAULT_PORTS.values():
            # A server at https://evil.example is on 443 (or 80) though its ids name no port: a block
            # or mute written "evil.example:443" must cover it, so a default port names the host.
            return hostname_normalise(host)
        return f"{hostname_normalise(host)}:{int(port)}"
    return hostname_normalise(domain)


def host_domain(url: str) -> str:
    """host[:port] of a URL, normalised: how Host rows, remote actors and blocks name a server.
    "" for a URL whose host parsers read differently (edge.urls): no server can be named for it."""
    if authority_ambiguous(url):
        return ""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # a malformed port or bracket: no server we can name
        return ""
    domain = hostname_normalise(parts.hostname or "")
    return f"{domain}:{port}" if port else domain


def url_origin(url) -> tuple[str, str, int] | None:
    """(scheme, host, port) of an http(s) URL; None for anything else (no origin, trusted by nobody).

    A URL whose host parsers read differently ("http://b.example\\@a.example/": a.example to
    urllib.parse, b.example to the connection) has none: b.example would speak for a.example."""
    if not isinstance(url, str) or authority_ambiguous(url):
        return None
    try:
        parts = urlsplit(url.strip())
        scheme = parts.scheme.lower()
        port = parts.port
    except ValueError:
        return None
    host = hostname_normalise(parts.hostname or "")
    if scheme not in DEFAULT_PORTS or not host:
        return None
    return scheme, host, port or DEFAULT_PORTS[scheme]


def same_origin(first, second) -> bool:
    """Whether two ids are on one origin (both must be http(s) URLs)."""
    origin = url_origin(first)
    return origin is not None and origin == url_origin(second)


def remote_document_fetch(url: str, *, id_known: bool = False) -> dict:
    """A remote document, believed only for the origin that served it (Mastodon's fetch_resource).

    Its id must be on the origin of the URL it was finally served from, after redirects. A document
    claiming an id elsewhere is not believed: that id is fetched instead, once, and its own answer is
    used. With id_known, `url` is the id we want and the document must carry exactly that id.
    Raises FetchError when no document can be accepted.
    """
    from .fetch import FetchError, fetch_document  # fetch reaches actors, which import this module

    try:
        final_url, document = fetch_document(url)
    except RecursionError:  # JSON nested deeper than the parser goes: not a document, not a crash
        raise FetchError(f"GET {url}: JSON nested too deeply") from None
    document_id = document.get("id")
    if url_origin(document_id) is None:
        raise FetchError(f"GET {url}: the document has no http(s) id")
    if id_known and document_id != url:
        raise FetchError(f"GET {url}: the document claims to be {document_id}")
    if same_origin(document_id, final_url):
        return document
    if id_known:
        raise FetchError(f"GET {url}: served from {final_url}, another origin than its id")
    return remote_document_fetch(document_id, id_known=True)
