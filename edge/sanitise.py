"""The one sanitiser for what other servers send us: HTML reduced to safe markup, URLs to http(s) only.

Used when remote content is stored (federation inbox, hub timeline, remote actors) and again when it is
rendered (the safe_url and remote_html filters in edge.templatetags.edge), so a row stored before a rule
tightened is still shown safely. Only absolute http(s) URLs survive: javascript:, data:, vbscript: and
relative links (which would point into this site) are dropped, in href/src attributes as in url fields.
"""

import html
from typing import Any
from urllib.parse import urlsplit

import nh3

# What a Mastodon-like post may contain; everything else (scripts, styles, iframes, forms) goes.
REMOTE_TAGS = {
    "p", "br", "a", "span", "strong", "b", "em", "i", "u", "s", "del", "code", "pre",
    "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6", "sup", "sub",
}  # fmt: skip
REMOTE_ATTRIBUTES = {"a": {"href", "title", "class"}, "span": {"class"}}
URL_SCHEMES = {"http", "https"}
_URL_ATTRIBUTES = {"href", "src", "cite", "action", "formaction", "poster", "srcset", "background"}


def url_safe(value: Any) -> str:
    """The URL if it is an absolute http(s) URL with a host, else "" (never a script or data link)."""
    if not isinstance(value, str):
        return ""
    url = value.strip()
    # Browsers drop tabs and newlines inside a URL ("java\tscript:"); such a URL is never kept.
    if any(ord(char) < 0x21 or ord(char) == 0x7F for char in url):
        return ""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return ""
    if parts.scheme.lower() not in URL_SCHEMES or not host:
        return ""
    return url


def first_url(value: Any) -> str:
    """The first safe http(s) URL in an ActivityStreams url/href value (a string, a Link or a list)."""
    if isinstance(value, str):
        return url_safe(value)
    if isinstance(value, dict):
        return first_url(value.get("href") or value.get("url"))
    if isinstance(value, list):
        for entry in value:
            url = first_url(entry)
            if url:
                return url
    return ""


def _url_attribute_filter(element: str, attribute: str, value: str) -> str | None:
    if attribute in _URL_ATTRIBUTES:
        return url_safe(value) or None  # None drops the attribute: a link without href is plain text
    return value


def html_sanitise(value: Any) -> str:
    """Remote HTML reduced to safe markup; links are absolute http(s), open elsewhere, pass no referrer."""
    if not isinstance(value, str):
        return ""
    return nh3.clean(
        value,
        tags=REMOTE_TAGS,
        attributes=REMOTE_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        attribute_filter=_url_attribute_filter,
        link_rel="nofollow noopener noreferrer",
    )


def plain_text(value: Any, limit: int = 500) -> str:
    """Remote markup as plain text (content warnings, names, alt text)."""
    if not isinstance(value, str):
        return ""
    return html.unescape(nh3.clean(value, tags=set())).strip()[:limit]
