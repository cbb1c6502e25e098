"""Our answers to remote activities: Accept or Reject of a Follow, Accept of a Join of one of our events."""

import uuid

from . import ids
from .delivery import activity_send
from .models import FederatedObject, Follow, RemoteActor


def follow_accept(follow: Follow) -> None:
    """Accept a follow (automatically, or from the admin queue) and tell the follower's server."""
    Follow.objects.filter(pk=follow.pk).update(state=Follow.State.ACCEPTED)
    follow.state = Follow.State.ACCEPTED
    _follow_answer(follow, "Accept")


def follow_reject(follow: Follow) -> None:
    _follow_answer(follow, "Reject")
    follow.delete()


def _follow_answer(follow: Follow, answer: str) -> None:
    actor, remote = follow.local_actor, follow.remote_actor
    # Deterministic per remote Follow: processing the same Follow twice sends one Accept.
    activity_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{answer}:{follow.follow_id or follow.pk}"))
    data = {
        "@context": ids.AS_CONTEXT,
        "id": ids.activity_url(activity_id),
        "type": answer,
        "actor": ids.actor_id(actor.username),
        "to": [remote.uri],
        "object": {
            "id": follow.follow_id,
            "type": "Follow",
            "actor": remote.uri,
            "object": ids.actor_id(actor.username),
        },
    }
    activity_send(actor=actor, data=data, inboxes=[remote.inbox], activity_id=activity_id)


def join_accept(join_id: str, remote: RemoteActor, obj: FederatedObject) -> None:
    """Answer a Join with an Accept from the event's actor: Mobilizon shows a participation as pending
    until it is accepted. Interest only, as the Join itself: it books no place."""
    actor = obj.actor
    # Deterministic per remote Join: processing the same Join twice sends one Accept.
    activity_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"Accept:{join_id}"))
    data = {
        "@context": ids.AS_CONTEXT,
        "id": ids.activity_url(activity_id),
        "type": "Accept",
        "actor": ids.actor_id(actor.username),
        "to": [remote.uri],
        "object": {"id": join_id, "type": "Join", "actor": remote.uri, "object": obj.data["id"]},
    }
    activity_send(actor=actor, data=data, inboxes=[remote.inbox], activity_id=activity_id)
