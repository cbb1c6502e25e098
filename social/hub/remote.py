"""Finding remote accounts: a handle through WebFinger, or an actor/profile URL, to a stored RemoteActor.

All HTTP goes through federation's fetch (timeouts, size cap, no private addresses unless allowed).
"""

from urllib.parse import urlencode

from django.conf import settings

from social.federation.actors import remote_actor_get
from social.federation.fetch import FetchError, fetch_json
from social.federation.models import RemoteActor
from social.federation.origins import remote_document_fetch

from .content import handle_split


class AccountNotFound(Exception):
    """The account could not be found (the message says why, for the editor)."""


def _webfinger(user: str, host: str) -> tuple[str, str]:
    """(subject, actor id) from the WebFinger document `host` serves for acct:user@host."""
    query = urlencode({"resource": f"acct:{user}@{host}"})
    # https everywhere; plain http only where settings allow it (local development and tests).
    schemes = ["https"] + (["http"] if getattr(settings, "HUB_WEBFINGER_ALLOW_HTTP", False) else [])
    errors = []
    for scheme in schemes:
        try:
            document = fetch_json(f"{scheme}://{host}/.well-known/webfinger?{query}", signed=False)
        except (FetchError, RecursionError) as exc:  # RecursionError: JSON nested past the parser
            errors.append(str(exc))
            continue
        subject = document.get("subject")
        for link in document.get("links") or []:
            if (
                isinstance(link, dict)
                and link.get("rel") == "self"
                and str(link.get("type", "")).split(";")[0].strip()
                in ("application/activity+json", "application/ld+json")
                and isinstance(link.get("href"), str)
            ):
                return (subject if isinstance(subject, str) else ""), link["href"]
        raise AccountNotFound(f"{host} knows no ActivityPub actor for {user}")
    raise AccountNotFound(f"cannot look up {user}@{host}: {'; '.join(errors)}")


def webfinger_resolve(handle: str) -> str:
    """The actor id behind "@user@host", from the host's WebFinger document."""
    parts = handle_split(handle)
    if parts is None:
        raise AccountNotFound(f"{handle!r} is not a handle like @someone@example.social")
    user, host = parts
    subject, actor_uri = _webfinger(user, host)
    if subject and subject.lower() != f"acct:{user}@{host}".lower():
        raise AccountNotFound(f"{host} answered for {subject}, not for {user}@{host}")
    return actor_uri


def _handle_confirm(handle: str, actor: RemoteActor) -> None:
    """Refuse an actor on another host than the handle's unless that host's WebFinger names it so.

    Mastodon's rule: a server speaks for its own accounts only. The handle's host may delegate to
    another (a split between the handle's domain and the server's), but then the actor's own server must
    answer that its actor is this handle; otherwise one host could hand out another's accounts."""
    user, host = handle_split(handle) or ("", "")
    if actor.domain == host:
        return
    subject, actor_uri = _webfinger(actor.username, actor.domain)
    if actor_uri != actor.uri or subject.lower() != f"acct:{user}@{host}".lower():
        raise AccountNotFound(f"{actor.uri} is on {actor.domain}, which does not confirm it is {user}@{host}")


def account_resolve(query: str) -> RemoteActor:
    """A RemoteActor from a handle or a URL (an actor id, or a profile page that serves the actor)."""
    query = query.strip()
    if query.startswith(("http://", "https://")):
        actor = remote_actor_get(query)
        if actor is not None and actor.inbox:
            return actor
        # A profile URL (https://host/@user) may answer with the actor document under another id.
        try:
            document = remote_document_fetch(query)  # believed only for the origin that served it
        except FetchError as exc:
            raise AccountNotFound(str(exc)) from None
        if not isinstance(document.get("id"), str) or not document.get("inbox"):
            raise AccountNotFound(f"{query} is not an ActivityPub actor")
        actor = remote_actor_get(document["id"])
        if actor is None or not actor.inbox:
            raise AccountNotFound(f"{query} is not an ActivityPub actor")
        return actor
    actor_uri = webfinger_resolve(query)
    actor = remote_actor_get(actor_uri, refresh=True)
    if actor is None or not actor.inbox or actor.uri != actor_uri:
        raise AccountNotFound(f"cannot fetch the actor {actor_uri}")
    _handle_confirm(query, actor)
    return actor
