"""Reactions: like or boost a timeline item as one of our actors, and take it back."""

from django.db import transaction
from django.utils import timezone

from social.federation import ids
from social.federation.models import LocalActor
from social.models import Flow

from . import activities
from .models import Reaction, TimelineItem
from .sending import activity_send, inbox_of

REACTION_TYPES = {Reaction.Kind.LIKE: "Like", Reaction.Kind.BOOST: "Announce"}


def reaction_add(*, item: TimelineItem, local_actor: LocalActor, kind: str) -> Reaction:
    """Like or boost a timeline item as one of our actors (once; a second click changes nothing)."""
    existing = Reaction.objects.filter(item=item, local_actor=local_actor, kind=kind).first()
    if existing is not None:
        return existing
    actor_uri = ids.actor_id(local_actor.username)
    author = item.author
    with transaction.atomic():
        if kind == Reaction.Kind.LIKE:
            _flow, activity = activity_send(
                event="like",
                object_key=f"hub:like:{item.pk}",
                actor=local_actor,
                build=lambda activity_id: activities.like_build(
                    activity_id, actor_uri, item.object_uri, author.uri
                ),
                inboxes=[inbox_of(author)],
            )
        else:
            published = timezone.now().isoformat()
            _flow, activity = activity_send(
                event="boost",
                object_key=f"hub:boost:{item.pk}",
                actor=local_actor,
                build=lambda activity_id: activities.announce_build(
                    activity_id, actor_uri, item.object_uri, author.uri, published
                ),
                inboxes=[inbox_of(author)],
                followers=True,
            )
        return Reaction.objects.create(
            item=item, local_actor=local_actor, kind=kind, activity_uri=activity["id"]
        )


def reaction_undo(reaction: Reaction) -> Flow:
    actor = reaction.local_actor
    actor_uri = ids.actor_id(actor.username)
    item = reaction.item
    original = {
        "id": reaction.activity_uri,
        "type": REACTION_TYPES[reaction.kind],
        "actor": actor_uri,
        "object": item.object_uri,
    }
    with transaction.atomic():
        flow, _ = activity_send(
            event=f"un{reaction.kind}",
            object_key=f"hub:{reaction.kind}:{item.pk}",
            actor=actor,
            build=lambda activity_id: activities.undo_build(
                activity_id, actor_uri, original, [item.author.uri]
            ),
            inboxes=[inbox_of(item.author)],
            followers=reaction.kind == Reaction.Kind.BOOST,
        )
        reaction.delete()
        return flow
