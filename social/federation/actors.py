"""Actors: our local actors (created on first use, keys generated once) and remote actors as fetched."""

import time

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from edge.sanitise import first_url

from . import ids
from .fetch import FetchError
from .keys import key_pair_generate
from .models import Host, LocalActor, RemoteActor
from .origins import host_domain, remote_document_fetch, same_origin, url_origin
from .signatures import PublicKey

# The fixed actors: @blog is the whole blog, followable as one; @events publishes the calendar's events;
# @market publishes the products as they become available (commerce.federation) and the market page.
FIXED_ACTORS = {
    "blog": {"kind": LocalActor.Kind.BLOG, "actor_type": "Person", "name": None, "path": "/"},
    "market": {
        "kind": LocalActor.Kind.PLACEHOLDER,
        "actor_type": "Service",
        "name": "Market",
        "path": "/shop/",
    },
    "events": {
        "kind": LocalActor.Kind.PLACEHOLDER,
        "actor_type": "Service",
        "name": "Events",
        "path": "/events/",
    },
}


def _actor_create(username: str, **fields) -> LocalActor:
    private_pem, public_pem = key_pair_generate()
    try:
        with transaction.atomic():
            return LocalActor.objects.create(
                username=username, private_key_pem=private_pem, public_key_pem=public_pem, **fields
            )
    except IntegrityError:  # another process created it first: its key wins, keys are generated once
        return LocalActor.objects.get(username=username)


def local_actor_get(username: str) -> LocalActor:
    """Our actor by username; the fixed ones and known authors are created on first use."""
    actor = LocalActor.objects.filter(username=username).first()
    if actor is not None:
        return actor
    if username in FIXED_ACTORS:
        spec = FIXED_ACTORS[username]
        name = spec["name"] or settings.SITE_NAME
        if spec["name"] and username != "blog":
            name = f"{settings.SITE_NAME} {spec['name']}"
        return _actor_create(
            username,
            kind=spec["kind"],
            actor_type=spec["actor_type"],
            name=name,
            summary=f"<p>{name}</p>",
            profile_url=settings.SITE_URL + spec["path"],
        )
    author = author_get(username)
    if author is not None:
        return local_actor_for_author(username, getattr(author, "name", username))
    profile = actor_profile_get(username)
    if profile is not None:
        return local_actor_for_profile(username, profile)
    raise LocalActor.DoesNotExist(username)


def actor_profile_get(slug: str) -> dict | None:
    """The profile of an actor another app owns (a producer), asked of settings.SOCIAL_ACTOR_SOURCES in
    turn: each names a function slug → {"name", "summary", "icon_url", "profile_url"} or None."""
    for path in getattr(settings, "SOCIAL_ACTOR_SOURCES", ()):
        profile = import_string(path)(slug)
        if profile is not None:
            return profile
    return None


def local_actor_for_profile(slug: str, profile: dict) -> LocalActor | None:
    """One actor per producer (preferredUsername = slug), refreshed from the profile its app gave.

    None when the slug is already another kind of actor's (an author or a fixed actor): that actor is
    never renamed after a producer, and the producer's products still go out from @market.
    """
    if slug in FIXED_ACTORS:
        return None
    name = str(profile.get("name") or slug)
    actor = LocalActor.objects.filter(username=slug).first()
    if actor is None:
        actor = _actor_create(slug, kind=LocalActor.Kind.PRODUCER, actor_type="Organization", name=name)
    if actor.kind != LocalActor.Kind.PRODUCER:
        return None
    fields = {
        "name": name,
        "summary": str(profile.get("summary") or ""),
        "icon_url": str(profile.get("icon_url") or ""),
        "profile_url": str(profile.get("profile_url") or ""),
    }
    changed = [field for field, value in fields.items() if getattr(actor, field) != value]
    if changed:
        for field in changed:
            setattr(actor, field, fields[field])
        actor.save(update_fields=changed)
    return actor


def author_get(slug: str):
    """The CMS author with this slug, read through settings.SOCIAL_AUTHOR_MODEL (cms is never imported)."""
    label = getattr(settings, "SOCIAL_AUTHOR_MODEL", "cms.Author")
    try:
        model = apps.get_model(label)
    except (LookupError, ValueError):
        return None
    return model.objects.filter(slug=slug).first()


def local_actor_for_author(slug: str, name: str) -> LocalActor:
    """One actor per author (preferredUsername = slug); refreshed from the CMS author when present."""
    actor = LocalActor.objects.filter(username=slug).first()
    if actor is None:
        actor = _actor_create(slug, kind=LocalActor.Kind.AUTHOR, actor_type="Person", name=name)
    author = author_get(slug)
    fields = {"name": name or slug}
    if author is not None:
        fields["summary"] = getattr(author, "bio", "") or ""
        avatar = getattr(author, "avatar", None)
        if avatar is not None:
            try:
                fields["icon_url"] = settings.SITE_URL + avatar.get_rendition("fill-400x400").url
            except Exception:  # a missing image file must not stop federation
                fields["icon_url"] = ""
        url_getter = getattr(author, "get_absolute_url", None)
        if callable(url_getter):
            fields["profile_url"] = settings.SITE_URL + url_getter()
    changed = [name for name, value in fields.items() if getattr(actor, name) != value]
    if changed:
        for name in changed:
            setattr(actor, name, fields[name])
        actor.save(update_fields=changed)
    return actor


def actor_document(actor: LocalActor) -> dict:
    """The actor as ActivityPub JSON."""
    uid = ids.actor_id(actor.username)
    profile = actor.profile_url or settings.SITE_URL + "/"
    document = {
        "@context": [
            ids.AS_CONTEXT,
            ids.SECURITY_CONTEXT,
            {
                "manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
                "toot": "http://joinmastodon.org/ns#",
                "featured": {"@id": "toot:featured", "@type": "@id"},
                "discoverable": "toot:discoverable",
                "schema": "http://schema.org#",
                "PropertyValue": "schema:PropertyValue",
                "value": "schema:value",
            },
        ],
        "id": uid,
        "type": actor.actor_type,
        "preferredUsername": actor.username,
        "name": actor.name,
        "summary": actor.summary,
        "url": profile,
        "inbox": ids.actor_collection(actor.username, "inbox"),
        "outbox": ids.actor_collection(actor.username, "outbox"),
        "followers": ids.actor_collection(actor.username, "followers"),
        "following": ids.actor_collection(actor.username, "following"),
        "featured": ids.actor_collection(actor.username, "featured"),
        "endpoints": {"sharedInbox": ids.shared_inbox()},
        "manuallyApprovesFollowers": actor_approves_manually(actor),
        "discoverable": actor.discoverable,
        "published": actor.created.isoformat(),
        "publicKey": {
            "id": ids.actor_key_id(actor.username),
            "owner": uid,
            "publicKeyPem": actor.public_key_pem,
        },
        "attachment": [
            {
                "type": "PropertyValue",
                "name": "Website",
                "value": f'<a href="{profile}" rel="me nofollow noopener" target="_blank">{profile}</a>',
            },
            {
                "type": "PropertyValue",
                "name": "Cooperative",
                "value": f'<a href="{settings.SITE_URL}/" rel="nofollow noopener">{settings.SITE_NAME}</a>',
            },
        ],
    }
    if actor.icon_url:
        document["icon"] = {"type": "Image", "url": actor.icon_url}
    if actor.image_url:
        document["image"] = {"type": "Image", "url": actor.image_url}
    return document


def actor_approves_manually(actor: LocalActor) -> bool:
    return actor.manually_approves_followers or getattr(settings, "FEDERATION_MANUAL_APPROVAL", False)


# --- remote actors --------------------------------------------------------------------------------


def host_for(url: str) -> Host:
    host, _ = Host.objects.get_or_create(domain=host_domain(url))
    return host


def _str(value, limit: int | None = None) -> str:
    text = value if isinstance(value, str) else ""
    return text[:limit] if limit else text


def actor_key(document: dict, key_id: str | None = None) -> dict:
    """The actor's public key entry (the one with key_id when given), only if it is the actor's own:
    on the actor's origin and, when it names an owner, owned by the actor. {} otherwise."""
    keys = document.get("publicKey")
    keys = keys if isinstance(keys, list) else [keys]
    for key in keys:
        if not isinstance(key, dict) or not isinstance(key.get("id"), str):
            continue
        if key_id is not None and key["id"] != key_id:
            continue
        if not same_origin(key["id"], document.get("id")):
            continue  # a key on another server cannot speak for this actor
        if key.get("owner") not in (None, document.get("id")):
            continue
        if not isinstance(key.get("publicKeyPem"), str):
            continue
        return key
    return {}


def _storable(uri: str) -> bool:
    """Whether an actor id fits its row (RemoteActor.uri, Host.domain): a longer one is refused, not cut."""
    return len(uri) <= 500 and len(host_domain(uri)) <= 255


def remote_actor_store(document: dict) -> RemoteActor:
    """Create or refresh a remote actor from its JSON document.

    Callers vouch for the document: fetched from the actor's own origin, or sent by the actor itself
    under a verified signature. A key that is not the actor's own (actor_key) is not kept.
    """
    uri = document["id"]
    if url_origin(uri) is None or not _storable(uri):
        raise ValueError(f"not an actor id we can store: {uri!r}")
    inbox = _str(document.get("inbox"), 500)
    if not same_origin(inbox, uri):
        # A server speaks for its own origin only: an inbox elsewhere would have us post to a host
        # that never asked for it (every follower's copy, every retry), on the word of another.
        raise ValueError(f"the inbox of {uri!r} is on another origin: {inbox!r}")
    key = actor_key(document)
    endpoints = document.get("endpoints") or {}
    shared_inbox = _str(endpoints.get("sharedInbox"), 500) if isinstance(endpoints, dict) else ""
    aliases = document.get("alsoKnownAs") or []
    fields = {
        "domain": host_for(uri).domain,
        "username": str(document.get("preferredUsername") or "")[:255],
        "name": str(document.get("name") or "")[:255],
        "actor_type": str(document.get("type") or "")[:50],
        "url": first_url(document.get("url"))[:500],
        "icon_url": first_url(document.get("icon"))[:500],
        "inbox": inbox,
        # A shared inbox on another origin is not kept: deliveries go to the actor's own inbox.
        "shared_inbox": shared_inbox if same_origin(shared_inbox, uri) else "",
        "public_key_id": _str(key.get("id"), 500),
        "public_key_pem": _str(key.get("publicKeyPem")),
        "also_known_as": [a for a in aliases if isinstance(a, str)] if isinstance(aliases, list) else [],
        "fetched": timezone.now(),
        "deleted": False,
    }
    previous = RemoteActor.objects.filter(uri=uri).values_list("public_key_id", flat=True).first()
    actor, _ = RemoteActor.objects.update_or_create(uri=uri, defaults=fields)
    for key_id in {previous, actor.public_key_id} - {None, ""}:
        key_cache_forget(key_id)  # the document may carry a new key: verify with it from now on
    return actor


def remote_actor_get(uri: str, *, refresh: bool = False) -> RemoteActor | None:
    """The remote actor, fetched when unknown (or when asked to refresh); None if it cannot be fetched.

    The document is fetched by the actor's own id and must carry that id (origins.remote_document_fetch).
    """
    actor = RemoteActor.objects.filter(uri=uri).first()
    if actor is not None and not refresh and actor.inbox:
        return actor
    if url_origin(uri) is None:
        return actor
    try:
        document = remote_document_fetch(uri, id_known=True)
    except FetchError:
        return actor
    if not document.get("inbox") or not _storable(uri):
        return actor
    try:
        return remote_actor_store(document)
    except ValueError:  # its inbox is on another origin: not an actor we can deliver to
        return actor


# Keys this process verified with, for a minute: an inbox under load sees the same keys again and
# again, and reading the actor row was most of what a verification cost. A key that stops verifying is
# fetched afresh (signatures._with_refetch asks again with refresh=True), which replaces it here.
KEY_CACHE_SECONDS = 60.0
_KEY_CACHE_MAX = 10_000
_key_cache: dict[str, tuple[float, PublicKey]] = {}


def _key_remember(key: PublicKey) -> PublicKey:
    if len(_key_cache) >= _KEY_CACHE_MAX:
        _key_cache.clear()  # rarely reached; a fresh start is cheaper than tracking the oldest
    _key_cache[key.key_id] = (time.monotonic() + KEY_CACHE_SECONDS, key)
    return key


def key_cache_forget(key_id: str) -> None:
    """Drop a key from this process's cache (its actor was refetched, deleted or changed its key)."""
    _key_cache.pop(key_id, None)


def key_lookup(key_id: str, refresh: bool) -> PublicKey | None:
    """Resolve a remote signing key id to its key and owner, fetching the owner's document when needed.

    A key counts for an actor only when both are on one origin and the actor's document, fetched by
    the actor's own id, names the key. A fetched key comes back with that document (PublicKey.document)
    and nothing is stored here: the inbox stores the actor once a signature has verified with the key.
    """
    if url_origin(key_id) is None:
        return None
    if not refresh:
        cached = _key_cache.get(key_id)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        actor = (
            RemoteActor.objects.filter(public_key_id=key_id)
            .exclude(public_key_pem="")
            .only("uri", "public_key_pem")
            .first()
        )
        if actor is not None and same_origin(actor.uri, key_id):
            return _key_remember(PublicKey(key_id=key_id, owner=actor.uri, pem=actor.public_key_pem))
    key_cache_forget(key_id)
    try:
        document = remote_document_fetch(key_id.split("#")[0])
        # An actor document names itself; a bare key document names its owner.
        owner = document.get("id") if document.get("inbox") else document.get("owner")
        if not isinstance(owner, str) or not same_origin(owner, key_id):
            return None
        if document.get("id") != owner:  # the owner's own document, fetched by its id
            document = remote_document_fetch(owner, id_known=True)
    except FetchError:
        return None
    key = actor_key(document, key_id)
    if not same_origin(document.get("inbox"), owner) or not key or not _storable(owner):
        return None  # no inbox, or one on another origin: remote_actor_store would refuse the actor
    return PublicKey(key_id=key_id, owner=owner, pem=key["publicKeyPem"], document=document)
