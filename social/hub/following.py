"""Following remote accounts: request a follow (pending until their Accept) and undo it."""

from django.db import transaction

from social.federation import ids
from social.federation.blocks import sender_blocked
from social.federation.models import LocalActor
from social.models import Flow

from . import activities
from .models import Following, TimelineItem
from .remote import AccountNotFound, account_resolve
from .sending import HubError, activity_send, inbox_of


def following_request(*, local_actor: LocalActor, query: str, user=None) -> Following:
    """Follow a remote account (a handle or a URL) as one of our actors; it stays pending until Accept."""
    try:
        remote = account_resolve(query)
    except AccountNotFound as exc:
        raise HubError(str(exc)) from None
    if sender_blocked(remote.domain, remote.uri):
        raise HubError(f"{remote} is blocked")
    with transaction.atomic():
        existing = Following.objects.filter(local_actor=local_actor, remote_actor=remote).first()
        if existing is not None and existing.state != Following.State.REJECTED:
            return existing
        actor_uri = ids.actor_id(local_actor.username)
        _flow, activity = activity_send(
            event="follow",
            object_key=f"hub:follow:{local_actor.username}:{remote.pk}",
            actor=local_actor,
            build=lambda activity_id: activities.follow_build(activity_id, actor_uri, remote.uri),
            inboxes=[inbox_of(remote)],
        )
        if existing is not None:
            existing.delete()
        return Following.objects.create(
            local_actor=local_actor,
            remote_actor=remote,
            follow_activity_uri=activity["id"],
            requested_by=user,
        )


def following_undo(following: Following) -> Flow:
    """Unfollow: Undo our Follow, and forget the follow (and the account's posts if nobody else follows)."""
    with transaction.atomic():
        actor = following.local_actor
        actor_uri = ids.actor_id(actor.username)
        remote = following.remote_actor
        follow = activities.follow_build(following.follow_activity_uri, actor_uri, remote.uri)
        flow, _ = activity_send(
            event="unfollow",
            object_key=f"hub:follow:{actor.username}:{remote.pk}",
            actor=actor,
            build=lambda activity_id: activities.undo_build(activity_id, actor_uri, follow, [remote.uri]),
            inboxes=[inbox_of(remote)],
        )
        following.delete()
        if not Following.objects.filter(remote_actor=remote).exists():
            TimelineItem.objects.filter(author=remote, kind=TimelineItem.Kind.POST).update(on_timeline=False)
            TimelineItem.objects.filter(boosted_by=remote).delete()
        return flow
