"""Outbound federation HTTP: signed GETs of ActivityPub documents and POSTs to inboxes, through edge.http.

edge.http connects only to public addresses (checked on the address connected to), gives every request
one total deadline across connect and reads, and caps what is read.
"""

import json
from urllib.parse import urljoin

from django.conf import settings

from edge.http import RemoteFetchError, RemoteResponse, deadline, host_refusal, remote_request, url_check

from . import ids

USER_AGENT = "RoseAsh-Federation/1.0 (+{site})"
# A POST's answer is only kept for the delivery log (500 characters of it): never read more than this.
POST_ANSWER_MAX_BYTES = 64 * 1024


class FetchError(RemoteFetchError):
    """A remote fetch or POST could not be made or was refused."""


def _setting(name: str, default):
    return getattr(settings, name, default)


def address_check(url: str) -> None:
    """Refuse URLs that are not http(s) or whose host resolves to an address we may not reach.

    An early, readable refusal; the check that counts is made again on the address actually connected to.
    """
    try:
        url_check(url)
        refusal = host_refusal(url)
    except RemoteFetchError as exc:
        raise FetchError(str(exc)) from None
    if refusal:
        raise FetchError(refusal)


def _user_agent() -> str:
    return USER_AGENT.format(site=settings.SITE_URL)


def _request(method: str, url: str, **kwargs) -> RemoteResponse:
    try:
        return remote_request(method, url, **kwargs)
    except RemoteFetchError as exc:
        raise FetchError(f"{method} {exc}") from None


def fetch_json(url: str, *, signed: bool = True) -> dict:
    """GET an ActivityPub document (signed as @blog, for servers with authorized fetch)."""
    return fetch_document(url, signed=signed)[1]


def fetch_document(url: str, *, signed: bool = True) -> tuple[str, dict]:
    """fetch_json, and the URL the document was finally served from (after redirects): the origin
    that speaks for it (see origins.remote_document_fetch)."""
    from .actors import local_actor_get  # actors import fetch for remote keys

    limit = _setting("FEDERATION_MAX_FETCH_BYTES", 1_000_000)
    with deadline():  # one deadline for the whole fetch, redirects included
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
            response = _request("GET", url, headers=headers, max_bytes=limit)
            if response.is_redirect:
                url = urljoin(url, response.headers["location"])
                continue
            if response.status_code != 200:
                raise FetchError(f"GET {url}: HTTP {response.status_code}")
            try:
                document = json.loads(response.content)
            except (ValueError, RecursionError):  # RecursionError: nested deeper than the parser's stack
                raise FetchError(f"GET {url}: not JSON") from None
            if not isinstance(document, dict):
                raise FetchError(f"GET {url}: not a JSON object")
            return url, document
    raise FetchError(f"GET {url}: too many redirects")


def post_signed(url: str, body: bytes, headers: dict[str, str]) -> RemoteResponse:
    """POST an already signed body (the caller signs; this only sends). No early `address_check`: a
    fan-out POSTs to each inbox once, so it would resolve every name twice, and the guarded connection
    refuses a non-public address itself (with the same reason) before anything is sent."""
    headers = {"Content-Type": ids.ACTIVITY_JSON, "User-Agent": _user_agent(), **headers}
    return _request("POST", url, data=body, headers=headers, max_bytes=POST_ANSWER_MAX_BYTES, truncate=True)
