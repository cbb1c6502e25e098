"""A Ghost post's body as HTML: Ghost's own rendering, else its Lexical or Mobiledoc source rendered here."""

import html as html_lib
import json

from cms.ghost import GhostPost, PostSkipped
from cms.ghost_checks import TEXT_FORBIDDEN

# --- body formats --------------------------------------------------------------------------------


def post_body_html(post: GhostPost) -> str:
    """Ghost's rendered HTML when present, else a rendering of its Lexical or Mobiledoc source."""
    if post.html.strip():
        html = post.html
    elif post.lexical:
        html = lexical_to_html(post.lexical)
    elif post.mobiledoc:
        html = mobiledoc_to_html(post.mobiledoc)
    else:
        html = ""
    # Lexical and Mobiledoc are JSON inside the export's JSON: their text is only seen once rendered.
    if TEXT_FORBIDDEN.search(html):
        raise PostSkipped("its body contains a NUL or control character")
    return html


# A body of the wrong shape (a text node's text a number, a section too short, a missing card) or
# nested past Python's recursion limit is the post's problem: it is skipped, the import goes on.
MALFORMED_BODY = (ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError)


def lexical_to_html(source: str) -> str:
    try:
        root = json.loads(source)["root"]
        return "".join(_lexical_node(node) for node in root.get("children", []))
    except MALFORMED_BODY:
        raise PostSkipped("its lexical field is not valid Lexical JSON") from None


def _lexical_node(node: dict) -> str:
    kind = node.get("type")
    inner = "".join(_lexical_node(child) for child in node.get("children", []))
    if kind == "text":
        text = html_lib.escape(node.get("text", ""))
        fmt = node.get("format", 0) or 0
        if fmt & 16:
            text = f"<code>{text}</code>"
        if fmt & 2:
            text = f"<em>{text}</em>"
        if fmt & 1:
            text = f"<strong>{text}</strong>"
        return text
    if kind == "linebreak":
        return "<br>"
    if kind == "link":
        return f'<a href="{html_lib.escape(node.get("url", ""))}">{inner}</a>'
    if kind == "paragraph":
        return f"<p>{inner}</p>"
    if kind in ("heading", "extended-heading"):
        tag = node.get("tag", "h2")
        return f"<{tag}>{inner}</{tag}>"
    if kind == "list":
        tag = "ol" if node.get("listType") == "number" else "ul"
        return f"<{tag}>{inner}</{tag}>"
    if kind == "listitem":
        return f"<li>{inner}</li>"
    if kind in ("quote", "aside"):
        return f"<blockquote>{inner}</blockquote>"
    if kind == "horizontalrule":
        return "<hr>"
    if kind == "codeblock":
        language = html_lib.escape(node.get("language") or "")
        return f'<pre><code class="language-{language}">{html_lib.escape(node.get("code", ""))}</code></pre>'
    if kind == "image":
        caption = node.get("caption") or ""
        return (
            f'<figure class="kg-card kg-image-card"><img src="{html_lib.escape(node.get("src", ""))}" '
            f'alt="{html_lib.escape(node.get("altText") or node.get("alt") or "")}">'
            + (f"<figcaption>{caption}</figcaption>" if caption else "")
            + "</figure>"
        )
    if kind == "html":
        return node.get("html", "")
    if kind == "embed":
        return embed_card_html(node.get("url") or "", node.get("html") or "", node.get("caption") or "")
    return inner


def mobiledoc_to_html(source: str) -> str:
    try:
        return _mobiledoc_to_html(source)
    except MALFORMED_BODY:
        raise PostSkipped("its mobiledoc field is not valid Mobiledoc JSON") from None


def _mobiledoc_to_html(source: str) -> str:
    doc = json.loads(source)
    markups, cards, sections = doc.get("markups", []), doc.get("cards", []), doc["sections"]
    out = []
    for section in sections:
        if section[0] == 1:  # markup section: [1, tagName, markers]
            tag = section[1].lower() if section[1].lower() in ("p", "h2", "h3", "h4", "blockquote") else "p"
            out.append(f"<{tag}>{_mobiledoc_markers(section[2], markups)}</{tag}>")
        elif section[0] == 3:  # list section: [3, tagName, items]
            tag = "ol" if section[1].lower() == "ol" else "ul"
            items = "".join(f"<li>{_mobiledoc_markers(item, markups)}</li>" for item in section[2])
            out.append(f"<{tag}>{items}</{tag}>")
        elif section[0] == 10:  # card section: [10, cardIndex]
            name, payload = cards[section[1]]
            if name == "image":
                src = html_lib.escape(payload.get("src", ""))
                alt = html_lib.escape(payload.get("alt") or "")
                caption = f"<figcaption>{payload['caption']}</figcaption>" if payload.get("caption") else ""
                image = f'<img src="{src}" alt="{alt}">'
                out.append(f'<figure class="kg-card kg-image-card">{image}{caption}</figure>')
            elif name in ("html", "markdown"):
                content = payload.get("html") or payload.get("markdown") or ""
                out.append(content if name == "html" else f"<p>{html_lib.escape(content)}</p>")
            elif name == "code":
                language = html_lib.escape(payload.get("language") or "")
                code = html_lib.escape(payload.get("code", ""))
                out.append(f'<pre><code class="language-{language}">{code}</code></pre>')
            elif name == "hr":
                out.append("<hr>")
            elif name == "embed":
                out.append(
                    embed_card_html(
                        payload.get("url") or "", payload.get("html") or "", payload.get("caption") or ""
                    )
                )
    return "".join(out)


def _mobiledoc_markers(markers: list, markups: list) -> str:
    out, open_tags = [], []
    for marker in markers:
        _kind, opens, closes, text = marker
        for index in opens:
            tag, *attrs = markups[index]
            attributes = ""
            if attrs and attrs[0]:
                pairs = dict(zip(attrs[0][::2], attrs[0][1::2], strict=False))
                if "href" in pairs:
                    attributes = f' href="{html_lib.escape(pairs["href"])}"'
            out.append(f"<{tag}{attributes}>")
            open_tags.append(tag)
        out.append(html_lib.escape(text))
        for _ in range(closes):
            out.append(f"</{open_tags.pop()}>")
    return "".join(out)


# --- embeds ------------------------------------------------------------------------------------


def embed_card_html(url: str, html: str, caption: str) -> str:
    """A Lexical/Mobiledoc embed card as Ghost renders it, keeping the original URL in data-url."""
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return (
        f'<figure class="kg-card kg-embed-card" data-url="{html_lib.escape(url)}">{html}{figcaption}</figure>'
    )
