"""The activities the hub sends, as ActivityStreams JSON: pure builders, no ORM and no I/O.

Every activity id is `ids.activity_url(<uuid>)`, so federation can serve it back and a retried flow
re-sends the same id (the receiving server deduplicates on it).
"""

from typing import Any

from social.federation import ids


def _envelope(activity_id: str, activity_type: str, actor: str, obj: Any, **extra: Any) -> dict[str, Any]:
    return {
        "@context": ids.AS_CONTEXT,
        "id": activity_id,
        "type": activity_type,
        "actor": actor,
        "object": obj,
        **extra,
    }


def follow_build(activity_id: str, actor: str, target: str) -> dict[str, Any]:
    return _envelope(activity_id, "Follow", actor, target, to=[target])


def undo_build(activity_id: str, actor: str, undone: dict[str, Any], to: list[str]) -> dict[str, Any]:
    inner = {key: value for key, value in undone.items() if key != "@context"}
    return _envelope(activity_id, "Undo", actor, inner, to=to)


def block_build(activity_id: str, actor: str, target: str) -> dict[str, Any]:
    """Addressed to the blocked account only: a Block is never public (Mastodon sends it the same way)."""
    return _envelope(activity_id, "Block", actor, target, to=[target])


def like_build(activity_id: str, actor: str, object_uri: str, object_author: str) -> dict[str, Any]:
    return _envelope(activity_id, "Like", actor, object_uri, to=[object_author])


def announce_build(
    activity_id: str, actor: str, object_uri: str, object_author: str, published: str
) -> dict[str, Any]:
    return _envelope(
        activity_id,
        "Announce",
        actor,
        object_uri,
        to=[ids.PUBLIC],
        cc=[object_author, ids.actor_collection(actor.rsplit("/", 1)[-1], "followers")],
        published=published,
    )


def note_build(
    *,
    note_id: str,
    actor: str,
    content: str,
    published: str,
    summary: str = "",
    in_reply_to: str = "",
    mentions: list[dict[str, str]] | None = None,
    hashtags: list[str] | None = None,
    tag_url: str = "",
    image: dict[str, str] | None = None,
    url: str = "",
) -> dict[str, Any]:
    """A public Note; mentioned actors are tagged and cc'd so their servers notify them."""
    username = actor.rsplit("/", 1)[-1]
    mentions = mentions or []
    tags: list[dict[str, str]] = [
        {"type": "Mention", "href": mention["uri"], "name": "@" + mention["handle"]} for mention in mentions
    ]
    tags += [
        {"type": "Hashtag", "href": tag_url.format(tag=tag.lower()), "name": f"#{tag}"}
        for tag in hashtags or []
    ]
    note: dict[str, Any] = {
        "id": note_id,
        "type": "Note",
        "attributedTo": actor,
        "content": content,
        "published": published,
        "to": [ids.PUBLIC],
        "cc": [ids.actor_collection(username, "followers")] + [mention["uri"] for mention in mentions],
        "url": url or note_id,
        "sensitive": bool(summary),
        "tag": tags,
    }
    if summary:
        note["summary"] = summary
    if in_reply_to:
        note["inReplyTo"] = in_reply_to
    if image:
        note["attachment"] = [
            {"type": "Image", "mediaType": image["media_type"], "url": image["url"], "name": image["alt"]}
        ]
    return note


def create_build(activity_id: str, note: dict[str, Any]) -> dict[str, Any]:
    return _envelope(
        activity_id,
        "Create",
        note["attributedTo"],
        note,
        to=note["to"],
        cc=note["cc"],
        published=note["published"],
    )
