"""Content in and out of the hub: reading remote posts' parts, and turning a typed note into federated HTML.

Remote HTML and URLs are sanitised by the one sanitiser, edge.sanitise.

Pure functions (no ORM, no I/O), so they are tested without a database.
"""

import html
import re
from dataclasses import dataclass
from typing import Any

from edge.sanitise import first_url, plain_text

HANDLE_RE = re.compile(r"^@?([A-Za-z0-9_.\-]+)@([A-Za-z0-9.\-]+(?::\d+)?)$")
# A mention in typed text: @user@host (the host part required: local names are not mentions here).
MENTION_RE = re.compile(r"(?<![\w/@])@([A-Za-z0-9_.\-]+)@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*(?::\d+)?)")
HASHTAG_RE = re.compile(r"(?<![\w/#&])#(\w{1,100})")
URL_RE = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]]")


def handle_split(handle: str) -> tuple[str, str] | None:
    """("user", "host") from "@user@host" or "user@host"; None if it is not a handle."""
    match = HANDLE_RE.match(handle.strip())
    if not match:
        return None
    return match.group(1), match.group(2).lower()


def uri_of(value: Any) -> str:
    """The id of an object given either inline or by reference."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return value["id"]
    return ""


def attachments_extract(obj: dict) -> list[dict[str, str]]:
    """Images (and other media) attached to a post, with their alt text."""
    raw = obj.get("attachment") or []
    if isinstance(raw, dict):
        raw = [raw]
    found = []
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict):
            continue
        url = first_url(entry.get("url")) or first_url(entry.get("href"))
        if not url:
            continue
        media_type = str(entry.get("mediaType") or "")
        if not media_type and entry.get("type") == "Image":
            media_type = "image/*"
        found.append(
            {"url": url[:500], "alt": plain_text(entry.get("name"), 1500), "media_type": media_type[:100]}
        )
    return found[:8]


def tags_extract(obj: dict) -> tuple[list[str], list[str]]:
    """(mentioned actor ids, hashtag names) from an object's `tag` list."""
    raw = obj.get("tag") or []
    if isinstance(raw, dict):
        raw = [raw]
    mentions, hashtags = [], []
    for entry in raw if isinstance(raw, list) else []:
        if not isinstance(entry, dict):
            continue
        if entry.get("type") == "Mention" and isinstance(entry.get("href"), str):
            mentions.append(entry["href"])
        elif entry.get("type") == "Hashtag" and isinstance(entry.get("name"), str):
            hashtags.append(entry["name"].lstrip("#")[:100])
    return mentions, hashtags


@dataclass(frozen=True)
class MentionRef:
    handle: str  # "user@host"
    uri: str  # the actor id
    url: str  # the profile page to link to


def note_html(text: str, mentions: dict[str, MentionRef], tag_url: str) -> str:
    """A typed note as HTML: paragraphs, links, resolved @mentions and #hashtags linked.

    `mentions` maps "user@host" (lower-case) to what it resolved to; unresolved handles stay text.
    `tag_url` is a format string with `{tag}`.
    """
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    rendered = []
    for paragraph in paragraphs:
        rendered.append("<p>" + _inline_html(paragraph, mentions, tag_url).replace("\n", "<br>") + "</p>")
    return "".join(rendered)


_INLINE_RE = re.compile(
    f"(?P<url>{URL_RE.pattern})|(?P<mention>{MENTION_RE.pattern})|(?P<tag>{HASHTAG_RE.pattern})"
)


def _inline_html(paragraph: str, mentions: dict[str, MentionRef], tag_url: str) -> str:
    out, position = [], 0
    for match in _INLINE_RE.finditer(paragraph):
        out.append(html.escape(paragraph[position : match.start()]))
        position = match.end()
        token = match.group(0)
        if match.group("url"):
            out.append(
                f'<a href="{html.escape(token)}" rel="nofollow noopener noreferrer">{html.escape(token)}</a>'
            )
        elif match.group("mention"):
            ref = mentions.get(token[1:].lower())
            # The profile link comes from the remote actor's document: http(s) only, like every remote URL.
            link = (first_url(ref.url) or first_url(ref.uri)) if ref is not None else ""
            if not link:
                out.append(html.escape(token))
            else:
                user = html.escape(ref.handle.split("@")[0])
                out.append(
                    f'<span class="h-card"><a href="{html.escape(link)}" class="u-url mention">'
                    f"@<span>{user}</span></a></span>"
                )
        else:
            name = token[1:]
            url = html.escape(tag_url.format(tag=name.lower()))
            out.append(
                f'<a href="{url}" class="mention hashtag" rel="tag">#<span>{html.escape(name)}</span></a>'
            )
    out.append(html.escape(paragraph[position:]))
    return "".join(out)


def mentions_find(text: str) -> list[str]:
    """The "user@host" handles typed in a note, in order, without repeats."""
    seen: list[str] = []
    for match in MENTION_RE.finditer(text):
        handle = f"{match.group(1)}@{match.group(2)}".lower()
        if handle not in seen:
            seen.append(handle)
    return seen


def hashtags_find(text: str) -> list[str]:
    seen: list[str] = []
    for match in HASHTAG_RE.finditer(text):
        if match.group(1) not in seen:
            seen.append(match.group(1))
    return seen
