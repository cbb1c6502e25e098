"""The URLs of our ActivityPub ids: every id derives from settings.SITE_URL."""

from django.conf import settings

PUBLIC = "https://www.w3.org/ns/activitystreams#Public"
AS_CONTEXT = "https://www.w3.org/ns/activitystreams"
SECURITY_CONTEXT = "https://w3id.org/security/v1"
ACTIVITY_JSON = "application/activity+json"


def actor_id(username: str) -> str:
    return f"{settings.SITE_URL}/ap/users/{username}"


def actor_key_id(username: str) -> str:
    return f"{actor_id(username)}#main-key"


def actor_collection(username: str, name: str) -> str:
    """name: inbox, outbox, followers, following, featured."""
    return f"{actor_id(username)}/{name}"


def shared_inbox() -> str:
    return f"{settings.SITE_URL}/ap/inbox"


def object_id(object_key: str) -> str:
    return f"{settings.SITE_URL}/ap/objects/{object_key.replace(':', '-')}"


def object_key_from_slug(slug: str) -> str:
    kind, _, ident = slug.partition("-")
    return f"{kind}:{ident}"


def activity_url(activity_id: str) -> str:
    return f"{settings.SITE_URL}/ap/activities/{activity_id}"


def local_username(uri: str) -> str | None:
    """Our actor's username if `uri` is one of our actor ids."""
    prefix = f"{settings.SITE_URL}/ap/users/"
    if uri.startswith(prefix) and "/" not in uri[len(prefix) :]:
        return uri[len(prefix) :]
    return None
