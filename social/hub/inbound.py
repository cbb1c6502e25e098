"""Activities arriving at our inboxes, as the hub sees them: timeline items, follow answers, notifications.

Federation has already verified the signature, refused blocked domains and accounts, and done its
own handling (followers, reactions and comments on our posts) before it sends `activity_received`.
"""

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from edge.sanitise import first_url, html_sanitise, plain_text
from social.federation import ids
from social.federation.actors import remote_actor_get
from social.federation.blocks import sender_blocked
from social.federation.fetch import FetchError
from social.federation.inbox import activity_origin_problem
from social.federation.models import LocalActor, RemoteActor
from social.federation.origins import remote_document_fetch, same_origin
from social.federation.remote_datetime import remote_datetime
from social.federation.selectors import object_for_uri

from .content import attachments_extract, tags_extract, uri_of
from .models import Following, Note, Notification, TimelineItem

logger = logging.getLogger(__name__)

POST_TYPES = ("Note", "Article", "Page", "Question")


def activity_handle(activity: dict, remote_actor: RemoteActor) -> str:
    """Take what the hub needs from a verified activity; says what it did (for logs and tests)."""
    if not isinstance(activity, dict):
        return "ignored: not an object"
    if account_blocked(remote_actor.uri, remote_actor.domain):
        return "ignored: blocked"
    problem = activity_origin_problem(activity, remote_actor.uri)
    if problem:  # federation's inbox refuses these; the hub holds the rule on its own too
        return f"ignored: {problem}"
    kind = activity.get("type")
    obj = activity.get("object")
    handler = {
        "Create": _create_receive,
        "Update": _update_receive,
        "Announce": _announce_receive,
        "Like": _like_receive,
        "Follow": _follow_receive,
        "Accept": _answer_receive,
        "Reject": _answer_receive,
        "Undo": _undo_receive,
        "Delete": _delete_receive,
    }.get(kind)
    if handler is None:
        return f"ignored: {kind}"
    if kind == "Announce":  # fetches the boosted post first, then writes in its own transaction
        return handler(activity, obj, remote_actor)
    with transaction.atomic():
        return handler(activity, obj, remote_actor)


def account_blocked(uri: str, domain: str) -> bool:
    return sender_blocked(domain, uri)


def _our_actor(uri: str) -> LocalActor | None:
    username = ids.local_username(uri) if isinstance(uri, str) else None
    return LocalActor.objects.filter(username=username).first() if username else None


def _our_object_actor(uri: str) -> tuple[bool, LocalActor | None]:
    """Is `uri` one of our objects (a hub note or a federated post), and whose is it?"""
    if not uri:
        return False, None
    note = Note.objects.filter(uri=uri).select_related("local_actor").first()
    if note is not None:
        return True, note.local_actor
    post = object_for_uri(uri)  # by page URL or by id, of any period
    if post is not None:
        return True, post.actor
    return False, None


def _followed(remote_actor: RemoteActor) -> bool:
    return Following.objects.filter(remote_actor=remote_actor, state=Following.State.ACCEPTED).exists()


def _item_fields(obj: dict) -> dict:
    hashtags = tags_extract(obj)[1]
    return {
        "object_uri": obj["id"][:500],
        "object_type": str(obj.get("type"))[:30],
        "name": plain_text(obj.get("name"), 500),
        "summary": plain_text(obj.get("summary"), 2000),
        "sensitive": bool(obj.get("sensitive")) or bool(obj.get("summary")),
        "content": html_sanitise(obj.get("content")),
        "url": first_url(obj.get("url"))[:500] or obj["id"][:500],
        "in_reply_to": uri_of(obj.get("inReplyTo"))[:500],
        "attachments": attachments_extract(obj),
        "hashtags": hashtags,
        "published": remote_datetime(obj.get("published")) or timezone.now(),
    }


def _post_store(
    obj: dict, author: RemoteActor, *, uri: str, on_timeline: bool, boosted_by=None
) -> TimelineItem:
    fields = _item_fields(obj) | {"author": author, "boosted_by": boosted_by, "on_timeline": on_timeline}
    fields["kind"] = TimelineItem.Kind.BOOST if boosted_by else TimelineItem.Kind.POST
    item, created = TimelineItem.objects.get_or_create(uri=uri[:500], defaults=fields)
    if not created and on_timeline and not item.on_timeline:
        TimelineItem.objects.filter(pk=item.pk).update(on_timeline=True)
        item.on_timeline = True
    return item


def _create_receive(activity: dict, obj, remote_actor: RemoteActor) -> str:
    if not isinstance(obj, dict) or obj.get("type") not in POST_TYPES or not isinstance(obj.get("id"), str):
        return "ignored: not a post"
    if uri_of(obj.get("attributedTo")) not in ("", remote_actor.uri):
        return "ignored: attributed to someone else"  # a relayed copy must be fetched, not trusted
    if not same_origin(obj["id"], remote_actor.uri):
        return "ignored: a post's id must be on its author's server"  # else it squats another's id
    _squats_drop(obj["id"])
    mentioned = [actor for actor in (_our_actor(uri) for uri in tags_extract(obj)[0]) if actor]
    replied_to_ours, reply_owner = _our_object_actor(uri_of(obj.get("inReplyTo")))
    followed = _followed(remote_actor)
    if not (followed or mentioned or replied_to_ours):
        return "ignored: not followed, not addressed to us"
    item = _post_store(obj, remote_actor, uri=obj["id"], on_timeline=followed)
    outcome = ["timeline" if followed else "stored"]
    if replied_to_ours or mentioned:
        kind = Notification.Kind.REPLY if replied_to_ours else Notification.Kind.MENTION
        local = reply_owner if replied_to_ours else mentioned[0]
        Notification.objects.get_or_create(
            activity_uri=uri_of(activity) or obj["id"],
            defaults={
                "kind": kind,
                "local_actor": local,
                "remote_actor": remote_actor,
                "object_uri": uri_of(obj.get("inReplyTo")) if replied_to_ours else obj["id"],
                "content": item.content,
                "item": item,
            },
        )
        outcome.append(kind)
    return " + ".join(outcome)


def _squats_drop(uri: str) -> None:
    """Remove posts stored under this id by an author of another server (before origins were checked):
    the id's own server now speaks for it. A boost's row is keyed by the Announce, not the post."""
    squats = TimelineItem.objects.filter(Q(uri=uri, boosted_by=None) | Q(object_uri=uri))
    for item in squats.select_related("author"):
        if not same_origin(item.object_uri, item.author.uri):
            item.delete()


def _update_receive(activity: dict, obj, remote_actor: RemoteActor) -> str:
    if not isinstance(obj, dict) or obj.get("type") not in POST_TYPES or not isinstance(obj.get("id"), str):
        return "ignored: not a post"
    if uri_of(obj.get("attributedTo")) not in ("", remote_actor.uri):
        return "ignored: attributed to someone else"
    if not same_origin(obj["id"], remote_actor.uri):
        return "ignored: a post's id must be on its author's server"
    fields = _item_fields(obj)
    fields.pop("published")
    updated = TimelineItem.objects.filter(object_uri=obj["id"], author=remote_actor).update(**fields)
    return f"updated {updated}"


def _announce_receive(activity: dict, obj, remote_actor: RemoteActor) -> str:
    object_uri = uri_of(obj)
    if not object_uri or not isinstance(activity.get("id"), str):
        return "ignored: no object"
    ours, owner = _our_object_actor(object_uri)
    if ours:
        Notification.objects.get_or_create(  # one statement: no transaction needed around it
            activity_uri=activity["id"],
            defaults={
                "kind": Notification.Kind.BOOST,
                "local_actor": owner,
                "remote_actor": remote_actor,
                "object_uri": object_uri,
            },
        )
        return "boost notified"
    if not _followed(remote_actor):
        return "ignored: not followed"
    # The boosted post is fetched from its origin, never trusted inline: the booster could forge it.
    # Fetched (post and author) before any transaction opens: a slow server must not hold one open.
    try:
        document = remote_document_fetch(object_uri, id_known=True)  # served by its own origin
    except FetchError as exc:
        logger.info("boosted object %s not fetched: %s", object_uri, exc)
        return "ignored: boosted object unavailable"
    if document.get("type") not in POST_TYPES:
        return "ignored: boosted object is not a post"
    author_uri = uri_of(document.get("attributedTo"))
    if not same_origin(author_uri, object_uri):
        return "ignored: boosted post attributed to an account on another server"
    author = remote_actor_get(author_uri)
    if author is None:
        return "ignored: boosted author unavailable"
    if account_blocked(author.uri, author.domain):
        return "ignored: boosted author blocked"
    with transaction.atomic():
        _post_store(document, author, uri=activity["id"], on_timeline=True, boosted_by=remote_actor)
    return "timeline boost"


def _like_receive(activity: dict, obj, remote_actor: RemoteActor) -> str:
    object_uri = uri_of(obj)
    ours, owner = _our_object_actor(object_uri)
    if not ours or not isinstance(activity.get("id"), str):
        return "ignored: not ours"
    Notification.objects.get_or_create(
        activity_uri=activity["id"],
        defaults={
            "kind": Notification.Kind.LIKE,
            "local_actor": owner,
            "remote_actor": remote_actor,
            "object_uri": object_uri,
        },
    )
    return "like notified"


def _follow_receive(activity: dict, obj, remote_actor: RemoteActor) -> str:
    local = _our_actor(uri_of(obj))
    if local is None or not isinstance(activity.get("id"), str):
        return "ignored: not one of our actors"
    Notification.objects.get_or_create(
        activity_uri=activity["id"],
        defaults={"kind": Notification.Kind.FOLLOW, "local_actor": local, "remote_actor": remote_actor},
    )
    return "follow notified"


def _answer_receive(activity: dict, obj, remote_actor: RemoteActor) -> str:
    follow_uri = uri_of(obj)
    following = Following.objects.filter(follow_activity_uri=follow_uri, remote_actor=remote_actor).first()
    if following is None and isinstance(obj, dict) and obj.get("type") == "Follow":
        # Some servers answer with a Follow of their own making; match it by who followed whom.
        local = _our_actor(uri_of(obj.get("actor")))
        following = Following.objects.filter(local_actor=local, remote_actor=remote_actor).first()
    if following is None:
        return "ignored: no such follow"
    state = Following.State.ACCEPTED if activity.get("type") == "Accept" else Following.State.REJECTED
    Following.objects.filter(pk=following.pk).update(state=state)
    return f"follow {state}"


def _undo_receive(activity: dict, obj, remote_actor: RemoteActor) -> str:
    undone = uri_of(obj)
    if not undone:
        return "ignored: nothing to undo"
    notifications = Notification.objects.filter(activity_uri=undone, remote_actor=remote_actor).delete()[0]
    boosts = TimelineItem.objects.filter(uri=undone, boosted_by=remote_actor).delete()[0]
    return f"undone {notifications} notifications, {boosts} boosts"


def _delete_receive(activity: dict, obj, remote_actor: RemoteActor) -> str:
    uri = uri_of(obj)
    if uri == remote_actor.uri:
        deleted = TimelineItem.objects.filter(Q(author=remote_actor) | Q(boosted_by=remote_actor)).delete()[0]
        return f"actor deleted: {deleted} items"
    _squats_drop(uri)  # the Delete is on the sender's origin (activity_origin_problem)
    deleted = TimelineItem.objects.filter(object_uri=uri, author=remote_actor).delete()[0]
    return f"deleted {deleted} items"
