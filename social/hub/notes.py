"""Composing: publish a Note (mentions, hashtags, an image, a reply) and its ActivityStreams document."""

import mimetypes
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from social.federation import ids
from social.federation.models import LocalActor, RemoteActor

from . import activities
from .content import MentionRef, hashtags_find, mentions_find, note_html
from .models import Note, TimelineItem
from .remote import AccountNotFound, account_resolve
from .sending import HubError, activity_send, inbox_of, tag_url


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
    content = note_html(text, resolved, tag_url())
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
        flow, _ = activity_send(
            event="reply" if reply_to else "note",
            object_key=f"hub:note:{note.pk}",
            actor=local_actor,
            build=lambda activity_id: activities.create_build(activity_id, note_object),
            inboxes=[inbox_of(remote) for remote in mentioned],
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
        tag_url=tag_url(),
        image=image,
    )
