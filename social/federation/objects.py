"""Object builders: post payload → Article (with preview Note), event payload → Event, Tombstone, activity."""

import hashlib
import json
import uuid
from collections.abc import Mapping
from urllib.parse import quote

import nh3
from django.conf import settings
from django.utils.html import escape

from . import ids

# Tags a post body may keep; everything else (scripts, styles, iframes, event handlers) goes.
ALLOWED_TAGS = {
    "p", "br", "a", "strong", "b", "em", "i", "u", "s", "del", "ins", "code", "pre", "blockquote",
    "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "img", "figure", "figcaption",
    "span", "sup", "sub", "table", "thead", "tbody", "tr", "th", "td",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "img": {"src", "alt", "title", "width", "height"},
    "span": {"class"},
    "code": {"class"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def post_html_sanitise(html: str) -> str:
    """Our own post's body as federated HTML. (Remote content goes through edge.sanitise instead.)"""
    return nh3.clean(
        html or "", tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, link_rel="nofollow noopener"
    )


def _absolute(url: str) -> str:
    return url if url.startswith(("http://", "https://")) else settings.SITE_URL + url


def tag_url(tag: str) -> str:
    return f"{settings.SITE_URL}/?tag={quote(tag)}"


def article_build(
    object_key: str, payload: Mapping, *, attributed_to: list[str], audience: str, period: int = 1
) -> dict:
    """The Article for a post payload (see cms BlogPostPage.federation_payload)."""
    url = _absolute(payload["url"])
    title = payload.get("title") or ""
    summary = payload.get("summary") or ""
    is_private = bool(payload.get("is_private"))
    tags = [
        {"type": "Hashtag", "href": tag_url(tag), "name": "#" + tag.replace(" ", "")}
        for tag in payload.get("tags") or []
    ]
    attachment = []
    hero = payload.get("hero_image")
    if hero:
        image = {
            "type": "Image",
            "url": _absolute(hero["url"]),
            "mediaType": hero.get("media_type") or "image/jpeg",
            "name": hero.get("alt") or "",
        }
        if hero.get("width"):
            image["width"], image["height"] = hero["width"], hero.get("height")
        attachment.append(image)
    to = [audience] if is_private else [ids.PUBLIC]
    cc = [] if is_private else [audience]
    article = {
        "id": ids.object_id(object_key, period),
        "type": "Article",
        "name": title,
        "summary": escape(summary) if summary else None,
        "content": post_html_sanitise(payload.get("body_html") or ""),
        "mediaType": "text/html",
        "url": url,
        "attributedTo": attributed_to[0] if len(attributed_to) == 1 else attributed_to,
        "audience": audience,
        "to": to,
        "cc": cc,
        "published": payload.get("published"),
        "updated": payload.get("updated") or payload.get("published"),
        "tag": tags,
        "attachment": attachment,
        "preview": {
            "type": "Note",
            "content": (
                f"<p><strong>{escape(title)}</strong></p><p>{escape(summary)}</p>"
                f'<p><a href="{url}">{url}</a></p>'
            ),
            "attachment": attachment,
        },
    }
    return {key: value for key, value in article.items() if value is not None}


def _place(location: Mapping | None) -> dict | None:
    if not location or not location.get("name"):
        return None
    place = {"type": "Place", "name": location["name"]}
    if location.get("address"):
        # Mobilizon reads a schema.org PostalAddress; we only know the venue's address as one line.
        place["address"] = {"type": "PostalAddress", "streetAddress": location["address"]}
    return place


def event_build(
    object_key: str, payload: Mapping, *, attributed_to: list[str], audience: str, period: int = 1
) -> dict:
    """The Event for an event page payload (see events EventPage.federation_payload), with the fields
    Mobilizon reads: startTime, endTime, timezone, location as a Place, joinMode, maximumAttendeeCapacity."""
    document = article_build(
        object_key, payload, attributed_to=attributed_to, audience=audience, period=period
    )
    document.pop("preview", None)  # servers that do not know Event show name, content and url instead
    document.update(
        {
            "type": "Event",
            "startTime": payload["start_time"],
            "endTime": payload.get("end_time"),
            "timezone": payload.get("time_zone"),
            "location": _place(payload.get("location")),
            "joinMode": payload.get("join_mode") or "free",
            "externalParticipationUrl": payload.get("participation_url"),
            "maximumAttendeeCapacity": payload.get("maximum_attendee_capacity"),
            "category": payload.get("category", {}).get("name") if payload.get("category") else None,
            "isOnline": False,
            "ical:status": payload.get("status") or "CONFIRMED",
            "commentsEnabled": True,
        }
    )
    return {key: value for key, value in document.items() if value is not None}


def _image(image: Mapping) -> dict:
    attachment = {
        "type": "Image",
        "url": _absolute(image["url"]),
        "mediaType": image.get("media_type") or "image/jpeg",
        "name": image.get("alt") or "",  # the alt text Mastodon and Misskey show and read out
    }
    if image.get("width"):
        attachment["width"], attachment["height"] = image["width"], image.get("height")
    return attachment


def note_build(
    object_key: str, payload: Mapping, *, attributed_to: list[str], audience: str, period: int = 1
) -> dict:
    """A Note for a market payload (a product, the week's market page: see commerce.federation).

    A Note because it is what every microblog shows whole in the timeline: Mastodon shows an Article as
    its title and a link only, Misskey as text without its pictures, while a Note's content and its
    Image attachments (with their alt text, `name`) appear as they are. Everything a reader needs is in
    the content: the title, the price, who makes it (their handle, so it links to their actor) and the
    product's page. No `summary`: on a Note, Mastodon takes it for a content warning.
    """
    url = _absolute(payload["url"])
    title, summary = payload.get("title") or "", payload.get("summary") or ""
    price = f" — {escape(payload['price'])}" if payload.get("price") else ""
    lines = [f"<p><strong>{escape(title)}</strong>{price}</p>"]
    tags = []
    makers = []
    for author in payload.get("authors") or []:
        handle = f"@{author['slug']}@{settings.SITE_HOST}"
        href = ids.actor_id(author["slug"])
        tags.append({"type": "Mention", "href": href, "name": handle})
        link = f'<span class="h-card"><a href="{href}" class="u-url mention">{escape(handle)}</a></span>'
        makers.append(f"{escape(author.get('name') or author['slug'])} ({link})")
    if makers:
        lines.append(f"<p>From {', '.join(makers)}</p>")
    if summary:
        lines.append(f"<p>{escape(summary)}</p>")
    lines.append(f'<p><a href="{url}">{escape(url)}</a></p>')
    is_private = bool(payload.get("is_private"))
    note = {
        "id": ids.object_id(object_key, period),
        "type": "Note",
        "content": "".join(lines),
        "mediaType": "text/html",
        "url": url,
        "attributedTo": attributed_to[0] if len(attributed_to) == 1 else attributed_to,
        "to": [audience] if is_private else [ids.PUBLIC],
        "cc": [] if is_private else [audience],
        "published": payload.get("published"),
        # Only a real edit: Mastodon marks a status whose Create carries `updated` as edited.
        "updated": payload.get("updated") if payload.get("updated") != payload.get("published") else None,
        "tag": tags,
        "attachment": [_image(image) for image in payload.get("images") or []],
    }
    return {key: value for key, value in note.items() if value is not None}


# Which builder makes the object for a payload: pages name their type, posts are Articles.
OBJECT_BUILDERS = {"Article": article_build, "Event": event_build, "Note": note_build}


def object_build(
    object_key: str, payload: Mapping, *, attributed_to: list[str], audience: str, period: int = 1
) -> dict:
    builder = OBJECT_BUILDERS[payload.get("object_type") or "Article"]
    return builder(object_key, payload, attributed_to=attributed_to, audience=audience, period=period)


# Stamps that move on every save (a product's payload is "published" now; a re-publish moves a post's
# "updated"): on their own they are no edit, and Mastodon would show an Update of them as one.
_UNDIGESTED = ("published", "updated")


def object_digest(document: Mapping) -> str:
    """A stable hash of what an object federates as, its time stamps aside: equal digests, nothing to send."""
    kept = {key: value for key, value in document.items() if key not in _UNDIGESTED}
    canonical = json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def tombstone_build(object_key: str, former_type: str, deleted: str | None, period: int = 1) -> dict:
    tombstone = {"id": ids.object_id(object_key, period), "type": "Tombstone", "formerType": former_type}
    if deleted:
        tombstone["deleted"] = deleted
    return tombstone


# The terms Mobilizon (and Gancio) use on Event objects, so JSON-LD readers expand them as intended.
EVENT_TERMS = {
    "sc": "http://schema.org#",
    "mz": "https://joinmobilizon.org/ns#",
    "ical": "http://www.w3.org/2002/12/cal/ical#",
    "pt": "https://joinpeertube.org/ns#",
    "joinMode": {"@id": "mz:joinMode", "@type": "mz:joinModeType"},
    "maximumAttendeeCapacity": "sc:maximumAttendeeCapacity",
    "externalParticipationUrl": {"@id": "mz:externalParticipationUrl", "@type": "sc:URL"},
    "timezone": {"@id": "mz:timezone", "@type": "sc:Text"},
    "isOnline": {"@id": "mz:isOnline", "@type": "sc:Boolean"},
    "commentsEnabled": {"@id": "pt:commentsEnabled", "@type": "sc:Boolean"},
    "category": "sc:category",
    "PostalAddress": "sc:PostalAddress",
    "address": {"@id": "sc:address", "@type": "sc:PostalAddress"},
    "streetAddress": "sc:streetAddress",
}


def with_context(document: dict) -> dict:
    return {"@context": [ids.AS_CONTEXT, {"Hashtag": "as:Hashtag", **EVENT_TERMS}], **document}


def activity_build(activity_type: str, *, activity_id: str, actor: str, obj, to=None, cc=None) -> dict:
    activity = {
        "@context": ids.AS_CONTEXT,
        "id": ids.activity_url(activity_id),
        "type": activity_type,
        "actor": ids.actor_id(actor),
        "object": obj,
    }
    if to is not None:
        activity["to"] = to
    if cc is not None:
        activity["cc"] = cc
    return activity


def new_activity_id() -> str:
    return str(uuid.uuid4())
