"""Inbox processing: what each verified incoming activity does to our state (worked by the one runner)."""

import json
import logging
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from durable import kick, runner
from durable.models import Outcome
from edge.sanitise import first_url, html_sanitise, url_safe

from . import ids
from .actors import (
    actor_approves_manually,
    host_domain,
    key_cache_forget,
    remote_actor_get,
    remote_actor_store,
)
from .answers import follow_accept, join_accept
from .delivery import host_revive
from .models import Comment, FederatedObject, Follow, InboxItem, LocalActor, Reaction, RemoteActor
from .origins import same_origin
from .remote_datetime import remote_datetime
from .selectors import object_for_uri
from .signals import activity_received

logger = logging.getLogger(__name__)
ACTOR_TYPES = {"Person", "Service", "Group", "Organization", "Application"}


class Ignored(Exception):
    """The activity is valid but not for us (unknown object, unsupported type)."""


def _id(value) -> str:
    if isinstance(value, dict):
        value = value.get("id")
    return value if isinstance(value, str) else ""


MAX_JSON_DEPTH = 32  # ActivityPub nests a few levels; deeper is an attack on whoever walks it next


def json_activity_parse(body: bytes) -> dict | str:
    """The body as an activity, or why it is not one (the inbox answers 400 with it)."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser goes
        return "body is not JSON"
    if _json_depth(data) > MAX_JSON_DEPTH:
        return "JSON nested too deeply"
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return "not an activity"
    return data


def _json_depth(value) -> int:
    """Nesting depth of parsed JSON, walked without recursion (the walk itself must not overflow)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            value = list(value.values())
        if isinstance(value, list):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                return depth
            stack.extend((item, depth + 1) for item in value)
    return deepest


# Activities whose object the actor makes, changes or removes: that object must be on the actor's origin.
AUTHORED_OBJECT_TYPES = ("Create", "Update", "Delete")


def _attributed_problem(value, actor_uri: str) -> bool:
    """Whether an object's attributedTo names someone else than the actor as its author.

    One id, or a list (PeerTube names the account, then its channel): the first is the author, as
    Mastodon reads it, and must be the actor; any other must be on the actor's origin. A list read
    as "no author" let a Note of another server's account through."""
    named = [_id(entry) for entry in (value if isinstance(value, list) else [value])]
    named = [uri for uri in named if uri]
    if not named:
        return False
    return named[0] != actor_uri or not all(same_origin(uri, actor_uri) for uri in named)


def activity_origin_problem(data: dict, actor_uri: str) -> str | None:
    """Why a server may not say this activity for this actor (Mastodon's origin rule), or None.

    The activity's id and every object it creates, updates or deletes must be on the actor's origin
    (whose signature was verified), and an undone activity must be the actor's own: another server
    cannot delete, edit or squat the id of what is not its own.
    """
    activity_id = data.get("id")
    if activity_id is not None and not same_origin(activity_id, actor_uri):
        return "the activity's id is on another server than its actor"
    obj = data.get("object")
    if data.get("type") in AUTHORED_OBJECT_TYPES:
        if not same_origin(_id(obj), actor_uri):
            return f"{data.get('type')} of an object on another server than its actor"
        if isinstance(obj, dict) and _attributed_problem(obj.get("attributedTo"), actor_uri):
            return "attributed to someone else"
    if data.get("type") == "Undo" and isinstance(obj, dict) and _id(obj.get("actor")) not in ("", actor_uri):
        return "undo of another actor's activity"
    return None


RECEIVED_BEFORE = "received before"


def received_before(item: InboxItem) -> bool:
    """Whether an earlier item brought this activity (its id, from its actor) and was handled (processed,
    or ignored here and left to the hub). A signature holds for five minutes, so the very same request
    verifies again within them: a Like replayed after its Undo, a Create after its Delete, would bring
    back what its author took back. Asked by the worker, so the inbox request stays one INSERT."""
    handled = [InboxItem.State.PROCESSED, InboxItem.State.IGNORED]
    earlier = InboxItem.objects.filter(activity_uri=item.activity_uri, actor_uri=item.actor_uri)
    return bool(item.activity_uri) and earlier.filter(state__in=handled).exclude(pk=item.pk).exists()


def inbox_receive(data: dict) -> InboxItem:
    """Store a verified activity; the one runner processes it soon after the request commits.

    A debounced kick, not a message per item: at hundreds of activities a second, publishing one
    task each cost the request more CPU than verifying and storing the activity (durable/kick.py)."""
    item = InboxItem.objects.create(
        activity_uri=_id(data)[:500],
        activity_type=str(data.get("type", ""))[:50],
        actor_uri=_id(data.get("actor"))[:500],
        data=data,
    )
    kick.kick_on_commit(InboxItem)
    return item


def inbox_item_process(item_id: int) -> str:
    """Process one received item here, if it is due and free (what a `durable.advance` task does);
    the state it rests in."""
    return runner.advance(InboxItem, item_id)


def inbox_item_handle(item: InboxItem, now: datetime) -> Outcome:
    """Handler of `received`: what the activity does to our state. Processed, or ignored with the
    reason; an error raises, and the state's retry policy tries again later (then fails)."""
    # The sender is alive: its host may take deliveries again (done here, not in the inbox request).
    host_revive(host_domain(item.actor_uri))
    handler = HANDLERS.get(item.activity_type)
    try:
        if handler is None:
            raise Ignored(f"unsupported type {item.activity_type}")
        if received_before(item):  # a replay, or the sender's retry: done once already
            raise Ignored(RECEIVED_BEFORE)
        problem = activity_origin_problem(item.data, item.actor_uri)
        if problem:  # the inbox refuses these; rows stored before it did are refused here
            raise Ignored(problem)
        # What the handler needs from other servers is fetched first, outside the transaction: a slow
        # or hostile server must not hold our rows locked while it answers. The handler reads it stored.
        remote = remote_actor_get(item.actor_uri)
        if remote is None:
            raise Ignored("the actor cannot be fetched")
        prefetch = PREFETCH.get(item.activity_type)
        if prefetch is not None:
            prefetch(item.data, remote)
        with transaction.atomic():
            handler(item.data, remote)
    except Ignored as exc:
        return Outcome(InboxItem.State.IGNORED, str(exc), fields={"processed": now})
    return Outcome(InboxItem.State.PROCESSED, fields={"processed": now})


def inbox_item_done(item: InboxItem) -> None:
    """The item's processing is recorded: let the hub (and any other listener) look at it."""
    if item.last_error == RECEIVED_BEFORE:
        return  # listeners had their look at the first one
    activity_received.send(sender=InboxItem, item=item)


def _local_object(value) -> FederatedObject:
    uri = _id(value)
    obj = object_for_uri(uri)
    if obj is None or obj.deleted:
        raise Ignored(f"{uri} is not one of our objects")
    return obj


def _local_actor(value) -> LocalActor:
    username = ids.local_username(_id(value))
    actor = LocalActor.objects.filter(username=username).first() if username else None
    if actor is None:
        raise Ignored(f"{_id(value)} is not one of our actors")
    return actor


# --- follows --------------------------------------------------------------------------------------


def _on_follow(data: dict, remote: RemoteActor) -> None:
    actor = _local_actor(data.get("object"))
    follow, _ = Follow.objects.get_or_create(local_actor=actor, remote_actor=remote)
    follow.follow_id = _id(data)[:500]
    follow.save(update_fields=["follow_id"])
    if follow.state == Follow.State.ACCEPTED or not actor_approves_manually(actor):
        follow_accept(follow)


# --- reactions and replies ------------------------------------------------------------------------


def _on_like(data: dict, remote: RemoteActor, kind: str = Reaction.Kind.LIKE) -> None:
    obj = _local_object(data.get("object"))
    Reaction.objects.update_or_create(
        kind=kind, remote_actor=remote, object=obj, defaults={"uri": _id(data)[:500]}
    )


def _on_announce(data: dict, remote: RemoteActor) -> None:
    _on_like(data, remote, Reaction.Kind.ANNOUNCE)


def _on_join(data: dict, remote: RemoteActor) -> None:
    """Mobilizon's and Gancio's "I'll attend" (object: the event's id): interest, counted once per person."""
    obj = _local_object(data.get("object"))
    if obj.object_type != "Event":
        raise Ignored("Join of something that is not one of our events")
    Reaction.objects.update_or_create(
        kind=Reaction.Kind.JOIN, remote_actor=remote, object=obj, defaults={"uri": _id(data)[:500]}
    )
    join_accept(_id(data), remote, obj)


def _on_leave(data: dict, remote: RemoteActor) -> None:
    obj = _local_object(data.get("object"))
    if not Reaction.objects.filter(kind=Reaction.Kind.JOIN, remote_actor=remote, object=obj).delete()[0]:
        raise Ignored("Leave of an event this actor had not joined")


def _on_create(data: dict, remote: RemoteActor) -> None:
    note = data.get("object")
    if not isinstance(note, dict) or note.get("type") not in ("Note", "Article"):
        raise Ignored("Create of something other than a Note")
    if _id(note.get("attributedTo")) not in ("", remote.uri):
        raise Ignored("note attributed to someone else")
    if not same_origin(_id(note), remote.uri):
        raise Ignored("a reply's id must be on its author's server")  # else it could squat a real reply's
    obj = _local_object(note.get("inReplyTo"))
    _squats_drop(_id(note))
    published = remote_datetime(note.get("published")) or timezone.now()
    Comment.objects.get_or_create(
        uri=_id(note)[:500],
        defaults={
            "remote_actor": remote,
            "object": obj,
            "url": (first_url(note.get("url")) or url_safe(_id(note)))[:500],
            "content": html_sanitise(note.get("content")),
            "published": published,
        },
    )


def _squats_drop(uri: str) -> int:
    """Remove replies stored under this id by an author of another server (before the inbox checked
    origins): the id's own server now speaks for it, and the squat would hide or outlive its reply."""
    squats = [
        comment.pk
        for comment in Comment.objects.filter(uri=uri).select_related("remote_actor")
        if not same_origin(comment.uri, comment.remote_actor.uri)
    ]
    return Comment.objects.filter(pk__in=squats).delete()[0] if squats else 0


def _on_update(data: dict, remote: RemoteActor) -> None:
    obj = data.get("object")
    if not isinstance(obj, dict):
        raise Ignored("Update without an embedded object")
    if obj.get("type") in ACTOR_TYPES:
        if _id(obj) != remote.uri:
            raise Ignored("an actor may only update itself")
        try:
            remote_actor_store(obj)
        except ValueError as exc:  # e.g. an inbox moved to another origin: the row we hold stays
            raise Ignored(str(exc)) from exc
        return
    if not same_origin(_id(obj), remote.uri):
        raise Ignored("update of an object on another server")
    comment = Comment.objects.filter(uri=_id(obj), remote_actor=remote).first()
    if comment is None:
        raise Ignored("update of a note we do not hold")
    comment.content = html_sanitise(obj.get("content"))
    comment.updated = timezone.now()
    if comment.status == Comment.Status.APPROVED:
        comment.status = Comment.Status.PENDING  # an edited reply is moderated again
    comment.save()


def _on_delete(data: dict, remote: RemoteActor) -> None:
    target = _id(data.get("object"))
    if target == remote.uri:
        remote_actor_forget(remote)
        return
    # The Delete is on the sender's origin (activity_origin_problem): its id is the sender's to remove.
    deleted = _squats_drop(target) + Comment.objects.filter(uri=target, remote_actor=remote).delete()[0]
    if not deleted:
        raise Ignored("delete of something we do not hold")


def remote_actor_forget(remote: RemoteActor) -> None:
    """A deleted remote account: drop its follows, replies and reactions."""
    Follow.objects.filter(remote_actor=remote).delete()
    Comment.objects.filter(remote_actor=remote).delete()
    Reaction.objects.filter(remote_actor=remote).delete()
    RemoteActor.objects.filter(pk=remote.pk).update(deleted=True)
    key_cache_forget(remote.public_key_id)


UNDONE_KINDS = {"Like": Reaction.Kind.LIKE, "Announce": Reaction.Kind.ANNOUNCE, "Join": Reaction.Kind.JOIN}


def _on_undo(data: dict, remote: RemoteActor) -> None:
    obj = data.get("object")
    undone_id = _id(obj)
    undone_type = obj.get("type") if isinstance(obj, dict) else None
    if undone_type in (None, "Follow"):
        follows = Follow.objects.filter(remote_actor=remote, follow_id=undone_id)
        if not follows.exists() and isinstance(obj, dict) and obj.get("object"):
            follows = Follow.objects.filter(
                remote_actor=remote, local_actor__username=ids.local_username(_id(obj.get("object"))) or ""
            )
        if follows.delete()[0]:
            return
    reactions = Reaction.objects.filter(remote_actor=remote, uri=undone_id)
    if not reactions.exists() and undone_type in UNDONE_KINDS and isinstance(obj, dict):
        kind = UNDONE_KINDS[undone_type]
        reactions = Reaction.objects.filter(
            remote_actor=remote, kind=kind, object__in=[_local_object(obj.get("object"))]
        )
    if not reactions.delete()[0]:
        raise Ignored("undo of something we do not hold")


def _move_target_fetch(data: dict, remote: RemoteActor) -> None:
    """Fetch the account moved to afresh (its alsoKnownAs must name the old one), before the transaction."""
    if _id(data.get("object")) == remote.uri and _id(data.get("target")):
        remote_actor_get(_id(data.get("target")), refresh=True)


def _on_move(data: dict, remote: RemoteActor) -> None:
    if _id(data.get("object")) != remote.uri:
        raise Ignored("an actor may only move itself")
    # Fetched just before by _move_target_fetch; here only the stored row is read.
    target = RemoteActor.objects.filter(uri=_id(data.get("target"))).first()
    if target is None or remote.uri not in target.also_known_as:
        raise Ignored("the move target does not claim the old account")
    for follow in Follow.objects.filter(remote_actor=remote):
        Follow.objects.get_or_create(
            local_actor=follow.local_actor,
            remote_actor=target,
            defaults={"state": follow.state, "follow_id": follow.follow_id},
        )
        follow.delete()
    RemoteActor.objects.filter(pk=remote.pk).update(moved_to=target.uri)


def _on_block(data: dict, remote: RemoteActor) -> None:
    # They no longer want to hear from this actor of ours: stop delivering to them.
    actor = _local_actor(data.get("object"))
    Follow.objects.filter(local_actor=actor, remote_actor=remote).delete()


def _on_accept(data: dict, remote: RemoteActor) -> None:
    raise Ignored("we follow nobody, so there is nothing to accept")


# Fetches a handler needs done before its transaction opens (the handler then reads what was stored).
PREFETCH = {"Move": _move_target_fetch}

HANDLERS = {
    "Follow": _on_follow,
    "Like": _on_like,
    "Announce": _on_announce,
    "Join": _on_join,
    "Leave": _on_leave,
    "Create": _on_create,
    "Update": _on_update,
    "Delete": _on_delete,
    "Undo": _on_undo,
    "Move": _on_move,
    "Block": _on_block,
    "Accept": _on_accept,
}
