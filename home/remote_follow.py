"""Follow from your server: where to send a reader who types their handle to follow one of our actors.

The reader's server knows how to follow: its WebFinger document carries an OStatus subscribe
template (`http://ostatus.org/schema/1.0/subscribe`, Mastodon, Pleroma, Misskey…) that takes the
account to follow. Without one (or when only a server was typed) Mastodon's own
`/authorize_interaction?uri=` is the convention. The look-up goes through the edge's guarded
fetch (no private addresses, a deadline, a size cap), and what it answers is used only as a URL
the reader's browser is sent to, never fetched by us.
"""

import json
import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode, urlsplit

from django.apps import apps
from django.conf import settings
from django.urls import reverse

from cms.models import Author
from edge.http import RemoteFetchError, host_refusal, remote_request

SUBSCRIBE_REL = "http://ostatus.org/schema/1.0/subscribe"
SITE_ACTORS = ("blog", "events", "market")  # the site's own actors; authors and producers by their slug
# A host name (or IP literal) with an optional port: nothing that could carry a path or credentials.
HOST = re.compile(r"^(?=.{1,253}(?::\d{1,5})?$)[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::\d{1,5})?$")
USER = re.compile(r"^[A-Za-z0-9_.~-]{1,100}$")
WEBFINGER_MAX_BYTES = 100_000
WEBFINGER_SECONDS = 5.0


class RemoteFollowRefused(Exception):
    """The reader's handle or server cannot be used (the message says why, for the reader)."""


@dataclass(frozen=True)
class LocalActor:
    username: str
    name: str

    @property
    def handle(self) -> str:
        return f"@{self.username}@{settings.SITE_HOST}"

    @property
    def uri(self) -> str:
        return settings.SITE_URL.rstrip("/") + reverse("federation-actor", args=[self.username])


def site_actors() -> list[LocalActor]:
    names = {"blog": settings.SITE_NAME, "events": "The calendar", "market": "The market"}
    return [LocalActor(username, names[username]) for username in SITE_ACTORS]


def local_actor_find(username: str) -> LocalActor | None:
    """One of the site's actors, an author or a producer (by their page's slug); None for anything else."""
    for actor in site_actors():
        if actor.username == username:
            return actor
    author = Author.objects.filter(slug=username).only("slug", "name").first()
    if author is not None:
        return LocalActor(author.slug, author.name)
    # By label: cms's demo imports home.models, which must not pull commerce into cms's import graph.
    producer_pages = apps.get_model("commerce", "ProducerPage").objects.live()
    producer = producer_pages.filter(slug=username).only("slug", "title").first()
    return LocalActor(producer.slug, producer.title) if producer else None


def reader_split(reader: str) -> tuple[str, str]:
    """("me", "mastodon.social") from "@me@mastodon.social", "me@mastodon.social"; ("", host) from a
    server name or its https URL. Refuses anything else."""
    text = reader.strip()
    if text.startswith(("https://", "http://")):
        parts = urlsplit(text)
        if parts.path.strip("/") or parts.query or parts.username or parts.password:
            raise RemoteFollowRefused("Type your handle (@you@your.server) or just your server's name.")
        text = parts.netloc
    text = text.removeprefix("@")
    user, _, host = text.rpartition("@")
    host = host.lower()
    if not HOST.match(host) or (user and not USER.match(user)) or ".." in host:
        raise RemoteFollowRefused("Type your handle (@you@your.server) or just your server's name.")
    return user, host


def _scheme() -> str:
    # Plain http only where settings allow it (local development and the tests' fake servers).
    return "http" if getattr(settings, "HUB_WEBFINGER_ALLOW_HTTP", False) else "https"


def _subscribe_template(user: str, host: str) -> str:
    """The reader's server's subscribe template, "" when it has none or cannot be asked."""
    query = urlencode({"resource": f"acct:{user}@{host}"})
    try:
        response = remote_request(
            "GET",
            f"{_scheme()}://{host}/.well-known/webfinger?{query}",
            headers={"Accept": "application/jrd+json, application/json"},
            max_bytes=WEBFINGER_MAX_BYTES,
            deadline_seconds=WEBFINGER_SECONDS,
        )
        document = json.loads(response.content) if response.status_code == 200 else {}
    except (RemoteFetchError, ValueError, RecursionError):
        return ""
    links = document.get("links") if isinstance(document, dict) else None
    for link in links if isinstance(links, list) else []:
        if not isinstance(link, dict):
            continue
        if link.get("rel") == SUBSCRIBE_REL and isinstance(link.get("template"), str):
            return link["template"]
    return ""


def _web_url(candidate: str) -> bool:
    """Only an http(s) URL with a host may be where we send a reader (never javascript: or data:)."""
    try:
        parts = urlsplit(candidate)
    except ValueError:
        return False
    return parts.scheme in ("https", "http") and bool(parts.hostname)


def remote_follow_url(reader: str, actor: LocalActor) -> str:
    """Where the reader's browser goes to follow `actor` from their own server."""
    user, host = reader_split(reader)
    template = _subscribe_template(user, host) if user else ""
    if template and "{uri}" in template:
        url = template.replace("{uri}", quote(actor.uri, safe=""))
        if _web_url(url):
            return url
    fallback = f"{_scheme()}://{host}/authorize_interaction?" + urlencode({"uri": actor.uri})
    if host_refusal(fallback):
        # A name for a private or unknown address is no reader's server: refuse rather than redirect.
        raise RemoteFollowRefused(f"We cannot find a server at {host}.")
    return fallback
