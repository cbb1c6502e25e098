"""Moderation: block a server or an account (and tell it), lift a block, mute an account or a domain."""

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from social.federation import ids
from social.federation.blocks import DomainList, domain_candidates
from social.federation.models import ActorBlock, DomainBlock, Follow, LocalActor, RemoteActor
from social.federation.origins import domain_normalise
from social.models import Flow

from . import activities
from .following import following_undo
from .models import Following, Mute, Notification, SentBlock, TimelineItem
from .sending import HubError, activity_send, inbox_of


def domain_block(domain: str, *, reason: str = "") -> DomainBlock:
    """Refuse a whole server: its inbox posts get 403; what we hold from it goes, follows both ways end.

    A domain block is ours alone: no Block goes out (the transport delivers nothing to a blocked
    domain), as Mastodon does; our Undo of each follow is kept in the flow log, undelivered.
    """
    domain = domain_normalise(domain)
    if not domain or domain in domain_candidates(settings.SITE_HOST):  # ours, or a parent of ours
        raise HubError("that domain cannot be blocked")
    with transaction.atomic():
        block, _ = DomainBlock.objects.get_or_create(domain=domain, defaults={"reason": reason})
        _forget(DomainList([domain]).q("domain"))  # its subdomains' accounts too
    return block


def account_block(remote: RemoteActor, *, reason: str = "") -> ActorBlock:
    """Refuse one account, and tell it: each of our actors it has to do with sends it a signed Block.

    The blog always blocks; an author actor too if it followed the account or was followed by it, so
    the remote server ends those relations on its side as well. Our own follows of it are undone first.
    """
    with transaction.atomic():
        block, _ = ActorBlock.objects.get_or_create(uri=remote.uri, defaults={"reason": reason})
        blockers = _actors_related_to(remote)
        _forget(Q(pk=remote.pk))
        already = set(SentBlock.objects.filter(remote_actor=remote).values_list("local_actor_id", flat=True))
        for actor in blockers:
            if actor.pk in already:
                continue  # blocked again: the Block already went, unblocking undoes that one
            actor_uri = ids.actor_id(actor.username)
            _flow, activity = activity_send(
                event="block",
                object_key=f"hub:block:{actor.username}:{remote.pk}",
                actor=actor,
                build=lambda activity_id, actor_uri=actor_uri: activities.block_build(
                    activity_id, actor_uri, remote.uri
                ),
                inboxes=[inbox_of(remote)],
            )
            SentBlock.objects.create(local_actor=actor, remote_actor=remote, activity_uri=activity["id"])
    return block


def _actors_related_to(remote: RemoteActor) -> list[LocalActor]:
    """The blog, and every actor of ours that follows the account or that it follows."""
    from social.federation.actors import local_actor_get

    related = LocalActor.objects.filter(
        Q(hub_following__remote_actor=remote) | Q(followers__remote_actor=remote)
    ).distinct()
    actors = {actor.pk: actor for actor in related}
    blog = local_actor_get("blog")
    actors.setdefault(blog.pk, blog)
    return sorted(actors.values(), key=lambda actor: actor.username)


def _forget(actors: Q) -> None:
    """Drop what we hold from these accounts and end follows both ways (theirs of us, ours of them)."""
    remote_ids = list(RemoteActor.objects.filter(actors).values_list("pk", flat=True))
    TimelineItem.objects.filter(Q(author_id__in=remote_ids) | Q(boosted_by_id__in=remote_ids)).delete()
    Notification.objects.filter(remote_actor_id__in=remote_ids).delete()
    # Their follows of our actors: a blocked account must not stay in a followers collection.
    Follow.objects.filter(remote_actor_id__in=remote_ids).delete()
    for following in Following.objects.filter(remote_actor_id__in=remote_ids).select_related(
        "local_actor", "remote_actor"
    ):
        following_undo(following)


def domain_unblock(block: DomainBlock) -> None:
    block.delete()


def account_unblock(block: ActorBlock) -> list[Flow]:
    """Lift an account block: each Block we sent is undone (Undo{Block}, delivered to the account)."""
    flows = []
    with transaction.atomic():
        remote = RemoteActor.objects.filter(uri=block.uri).first()
        sent = SentBlock.objects.filter(remote_actor=remote).select_related("local_actor") if remote else []
        for sent_block in sent:
            actor = sent_block.local_actor
            actor_uri = ids.actor_id(actor.username)
            original = activities.block_build(sent_block.activity_uri, actor_uri, remote.uri)
            flow, _ = activity_send(
                event="unblock",
                object_key=f"hub:block:{actor.username}:{remote.pk}",
                actor=actor,
                build=lambda activity_id, actor_uri=actor_uri, original=original: activities.undo_build(
                    activity_id, actor_uri, original, [remote.uri]
                ),
                inboxes=[inbox_of(remote)],
            )
            flows.append(flow)
            sent_block.delete()
        block.delete()
    return flows


def mute_add(*, remote: RemoteActor | None = None, domain: str = "", user=None) -> Mute:
    if remote is not None:
        mute, _ = Mute.objects.get_or_create(account=remote, defaults={"created_by": user})
    else:
        domain = domain_normalise(domain)
        if not domain:
            raise HubError("say which account or domain to mute")
        mute, _ = Mute.objects.get_or_create(domain=domain, defaults={"created_by": user})
    return mute


def mute_remove(mute: Mute) -> None:
    mute.delete()
