"""Hub writes: following, reacting, composing, moderating, read markers, pruning.

Every outbound action starts a `hub_send` flow (social.services.flow_start) in the caller's
transaction, so it shows in the flow log with its delivery progress, and nothing goes out if the
request rolls back.
"""

import mimetypes
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from social.federation import ids
from social.federation.blocks import DomainList, domain_candidates, sender_blocked
from social.federation.models import ActorBlock, DomainBlock, Follow, LocalActor, RemoteActor
from social.federation.origins import domain_normalise
from social.models import Flow
from social.services import flow_start

from . import activities
from .content import MentionRef, hashtags_find, mentions_find, note_html
from .models import Following, Mute, Note, Notification, Reaction, ReadMarker, SentBlock, TimelineItem
from .remote import AccountNotFound, account_resolve

TAG_URL = "{site}/tags/{{tag}}/"


class HubError(Exception):
    """An action the editor asked for that cannot be done (the message says why)."""


def _tag_url() -> str:
    return TAG_URL.format(site=settings.SITE_URL)


def _send(
    *,
    event: str,
    object_key: str,
    actor: LocalActor,
    build: Callable[[str], dict[str, Any]],
    inboxes: list[str],
    followers: bool = False,
) -> tuple[Flow, dict[str, Any]]:
    """Start a hub_send flow whose activity id is the flow's own (stable across retries)."""
    flow = flow_start(behavior="hub_send", event=event, object_key=object_key, payload={})
    activity_id = str(flow.activity_id)
    activity = build(ids.activity_url(activity_id))
    payload = {
        "actor": actor.username,
        "activity": activity,
        "inboxes": sorted({inbox for inbox in inboxes if inbox}),
        "followers": followers,
    }
    Flow.objects.filter(pk=flow.pk).update(payload=payload)
    flow.payload = payload
    return flow, activity


def _inbox(remote: RemoteActor) -> str:
    return remote.inbox or remote.shared_inbox


# --- following ------------------------------------------------------------------------------------


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
        _flow, activity = _send(
            event="follow",
            object_key=f"hub:follow:{local_actor.username}:{remote.pk}",
            actor=local_actor,
            build=lambda activity_id: activities.follow_build(activity_id, actor_uri, remote.uri),
            inboxes=[_inbox(remote)],
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
        flow, _ = _send(
            event="unfollow",
            object_key=f"hub:follow:{actor.username}:{remote.pk}",
            actor=actor,
            build=lambda activity_id: activities.undo_build(activity_id, actor_uri, follow, [remote.uri]),
            inboxes=[_inbox(remote)],
        )
        following.delete()
        if not Following.objects.filter(remote_actor=remote).exists():
            TimelineItem.objects.filter(author=remote, kind=TimelineItem.Kind.POST).update(on_timeline=False)
            TimelineItem.objects.filter(boosted_by=remote).delete()
        return flow


# --- reactions ------------------------------------------------------------------------------------

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
            _flow, activity = _send(
                event="like",
                object_key=f"hub:like:{item.pk}",
                actor=local_actor,
                build=lambda activity_id: activities.like_build(
                    activity_id, actor_uri, item.object_uri, author.uri
                ),
                inboxes=[_inbox(author)],
            )
        else:
            published = timezone.now().isoformat()
            _flow, activity = _send(
                event="boost",
                object_key=f"hub:boost:{item.pk}",
                actor=local_actor,
                build=lambda activity_id: activities.announce_build(
                    activity_id, actor_uri, item.object_uri, author.uri, published
                ),
                inboxes=[_inbox(author)],
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
        flow, _ = _send(
            event=f"un{reaction.kind}",
            object_key=f"hub:{reaction.kind}:{item.pk}",
            actor=actor,
            build=lambda activity_id: activities.undo_build(
                activity_id, actor_uri, original, [item.author.uri]
            ),
            inboxes=[_inbox(item.author)],
            followers=reaction.kind == Reaction.Kind.BOOST,
        )
        reaction.delete()
        return flow


# --- composing ------------------------------------------------------------------------------------


def note_publish(
    *,
    local_actor: LocalActor,
    text: str,
    user=None,
    summary: str = "",
    reply_to: TimelineItem | None = None,
    image=None,
    image_alt: str = "",
) -> Note:
    """Publish a Note: mentions resolve to remote actors (tagged, cc'd and delivered to), hashtags link."""
    text = text.strip()
    if not text:
        raise HubError("the note is empty")
    if image is not None and not image_alt.strip():
        raise HubError("an image needs a description (alt text)")
    resolved: dict[str, MentionRef] = {}
    mentioned: list[RemoteActor] = []
    for handle in mentions_find(text):
        try:
            remote = account_resolve(handle)
        except AccountNotFound:
            continue  # an unknown handle stays plain text, as Mastodon does
        resolved[handle] = MentionRef(handle=handle, uri=remote.uri, url=remote.url or remote.uri)
        mentioned.append(remote)
    if reply_to is not None and reply_to.author not in mentioned:
        author = reply_to.author
        mentioned.append(author)
        if author.username:
            handle = f"{author.username}@{author.domain}"
            resolved.setdefault(
                handle, MentionRef(handle=handle, uri=author.uri, url=author.url or author.uri)
            )
    hashtags = hashtags_find(text)
    content = note_html(text, resolved, _tag_url())
    with transaction.atomic():
        note = Note.objects.create(
            local_actor=local_actor,
            author=user,
            uri=f"pending:{timezone.now().timestamp()}:{local_actor.pk}",
            text=text,
            content=content,
            summary=summary.strip()[:500],
            in_reply_to=reply_to.object_uri if reply_to else "",
            reply_to_item=reply_to,
            hashtags=hashtags,
            image_alt=image_alt.strip(),
        )
        note.uri = f"{settings.SITE_URL}/ap/hub/notes/{note.pk}"
        if image is not None:
            note.image.save(getattr(image, "name", "image.png"), image, save=False)
        note.mentions = [
            {
                "uri": remote.uri,
                "handle": next((h for h, r in resolved.items() if r.uri == remote.uri), remote.uri),
            }
            for remote in mentioned
        ]
        note.save()
        note_object = note_document(note)
        flow, _ = _send(
            event="reply" if reply_to else "note",
            object_key=f"hub:note:{note.pk}",
            actor=local_actor,
            build=lambda activity_id: activities.create_build(activity_id, note_object),
            inboxes=[_inbox(remote) for remote in mentioned],
            followers=True,
        )
        Note.objects.filter(pk=note.pk).update(flow_id=flow.pk)
        note.flow_id = flow.pk
    return note


def note_document(note: Note) -> dict[str, Any]:
    """The Note as ActivityStreams JSON (what we federate and serve at its id)."""
    image = None
    if note.image:
        media_type = mimetypes.guess_type(note.image.name)[0] or "image/png"
        image = {"url": settings.SITE_URL + note.image.url, "alt": note.image_alt, "media_type": media_type}
    return activities.note_build(
        note_id=note.uri,
        actor=ids.actor_id(note.local_actor.username),
        content=note.content,
        published=note.published.isoformat(),
        summary=note.summary,
        in_reply_to=note.in_reply_to,
        mentions=note.mentions,
        hashtags=note.hashtags,
        tag_url=_tag_url(),
        image=image,
    )


# --- moderation -----------------------------------------------------------------------------------


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
            _flow, activity = _send(
                event="block",
                object_key=f"hub:block:{actor.username}:{remote.pk}",
                actor=actor,
                build=lambda activity_id, actor_uri=actor_uri: activities.block_build(
                    activity_id, actor_uri, remote.uri
                ),
                inboxes=[_inbox(remote)],
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
            flow, _ = _send(
                event="unblock",
                object_key=f"hub:block:{actor.username}:{remote.pk}",
                actor=actor,
                build=lambda activity_id, actor_uri=actor_uri, original=original: activities.undo_build(
                    activity_id, actor_uri, original, [remote.uri]
                ),
                inboxes=[_inbox(remote)],
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


# --- notifications and housekeeping ---------------------------------------------------------------


def notifications_mark_read(user, up_to_id: int) -> None:
    """This editor has seen the notifications up to this id (others' read state is untouched)."""
    _marker_advance(user, "notifications_last_read_id", up_to_id)


def timeline_mark_read(user, up_to_id: int) -> None:
    """This editor has seen the timeline up to this id."""
    _marker_advance(user, "timeline_last_read_id", up_to_id)


def _marker_advance(user, field: str, up_to_id: int) -> None:
    # Only forward: an older page seen later must not make newer items unread again. One conditional
    # UPDATE, so two tabs of the same editor cannot move the marker back either.
    if not up_to_id:
        return
    ReadMarker.objects.get_or_create(user=user)
    ReadMarker.objects.filter(user=user, **{f"{field}__lt": up_to_id}).update(
        **{field: up_to_id, "updated": timezone.now()}
    )


def _notifications_read_by_anyone() -> int:
    """The highest notification id any editor has seen: above it, nobody has read a notification."""
    return ReadMarker.objects.aggregate(top=Max("notifications_last_read_id"))["top"] or 0


def timeline_prune(older_than: timedelta | None = None) -> int:
    """Delete timeline items older than the retention, keeping those we reacted or replied to."""
    if older_than is None:
        older_than = timedelta(days=settings.HUB_TIMELINE_RETENTION_DAYS)
    cutoff = timezone.now() - older_than
    return (
        TimelineItem.objects.filter(received__lt=cutoff)
        .exclude(our_reactions__isnull=False)
        .exclude(our_replies__isnull=False)
        .exclude(notifications__pk__gt=_notifications_read_by_anyone())
        .delete()[0]
    )


def notifications_digest_send() -> int:
    """Email notifications no editor has read yet, once, to the staff in HUB_DIGEST_EMAILS."""
    from django.core.mail import send_mail

    recipients = list(getattr(settings, "HUB_DIGEST_EMAILS", []))
    pending = list(
        Notification.objects.filter(pk__gt=_notifications_read_by_anyone(), emailed__isnull=True)
        .select_related("remote_actor", "local_actor")
        .order_by("created")[:500]
    )
    if not recipients or not pending:
        return 0
    # Claimed first, in a commit of its own: a digest run at the same time finds them taken, and a
    # crash once the SMTP server has the message cannot mail them again. A refused send releases them.
    claim = timezone.now()
    Notification.objects.filter(pk__in=[n.pk for n in pending], emailed__isnull=True).update(emailed=claim)
    claimed = set(Notification.objects.filter(emailed=claim).values_list("pk", flat=True))
    pending = [n for n in pending if n.pk in claimed]
    if not pending:
        return 0
    lines = [
        f"- {n.get_kind_display()}: {n.remote_actor} → @{n.local_actor.username if n.local_actor else '?'}"
        + (f" ({n.object_uri})" if n.object_uri else "")
        for n in pending
    ]
    try:
        send_mail(
            subject=f"{len(pending)} new fediverse notification{'s' if len(pending) != 1 else ''}",
            message="\n".join(lines) + f"\n\nRead them at {settings.SITE_URL}/admin/hub/notifications/\n",
            from_email=None,
            recipient_list=recipients,
        )
    except Exception:
        Notification.objects.filter(pk__in=claimed, emailed=claim).update(emailed=None)
        raise
    return len(pending)
