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


def object_id(object_key: str, period: int = 1) -> str:
    """The id of an object in one of its periods (FederatedObject.period): the first keeps the bare id
    every object had before periods, each later one adds its number, `…/ap/objects/product-12/2`."""
    base = f"{settings.SITE_URL}/ap/objects/{object_key.replace(':', '-')}"
    return base if period == 1 else f"{base}/{period}"


def object_key_from_slug(slug: str) -> str:
    kind, _, ident = slug.partition("-")
    return f"{kind}:{ident}"


def object_ref(uri: str) -> tuple[str, int] | None:
    """(object key, period) if `uri` is the id of one of our objects in any of its periods, else None."""
    prefix = f"{settings.SITE_URL}/ap/objects/"
    if not isinstance(uri, str) or not uri.startswith(prefix):
        return None
    slug, _, period = uri[len(prefix) :].partition("/")
    number = int(period) if period.isdigit() else 1
    # One spelling per period: ".../product-12/1" or ".../02" name nothing.
    if "-" not in slug or (period and (number < 2 or str(number) != period)):
        return None
    return object_key_from_slug(slug), number


def activity_url(activity_id: str) -> str:
    return f"{settings.SITE_URL}/ap/activities/{activity_id}"


def local_username(uri: str) -> str | None:
    """Our actor's username if `uri` is one of our actor ids."""
    prefix = f"{settings.SITE_URL}/ap/users/"
    if uri.startswith(prefix) and "/" not in uri[len(prefix) :]:
        return uri[len(prefix) :]
    return None
