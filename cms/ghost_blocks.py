"""Ghost HTML to StreamField blocks: paragraphs and headings as rich text, images, embeds, a summary."""

import html as html_lib
import re

import nh3
from bs4 import BeautifulSoup, NavigableString, Tag

from cms.embeds import url_embeddable
from cms.ghost import GhostPost

ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "a", "b", "strong", "i", "em", "code", "br", "hr"}

# Ghost stores the provider's player markup; Wagtail's embed block wants the page URL the oEmbed
# providers know, so the common players are mapped back to it.
PLAYER_URLS = [
    (
        re.compile(r"^https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/([\w-]+)"),
        "https://www.youtube.com/watch?v={}",
    ),
    (re.compile(r"^https?://player\.vimeo\.com/video/(\d+)"), "https://vimeo.com/{}"),
]


def embed_card_url(figure: Tag) -> str:
    """The URL an embed card shows: its data-url, else the player's page URL, else the quoted link."""
    if figure.get("data-url"):
        return figure["data-url"].strip()
    iframe = figure.find("iframe")
    if iframe is not None and iframe.get("src"):
        src = iframe["src"].strip()
        src = "https:" + src if src.startswith("//") else src
        for pattern, page_url in PLAYER_URLS:
            match = pattern.match(src)
            if match:
                return page_url.format(match.group(1))
        return src
    # Tweets and other script embeds quote the original as a blockquote whose last link is the post.
    links = [a["href"] for a in figure.find_all("a", href=True)]
    return links[-1].strip() if links else ""


# --- HTML to StreamField ---------------------------------------------------------------------------


def html_to_blocks(html: str, image_for, embeddable=url_embeddable) -> tuple[list[dict], list[str]]:
    """Split Ghost HTML into paragraph/image/quote/code/embed blocks.

    `image_for(src)` returns an image or None; `embeddable(url)` says whether an embed card's URL
    can be an embed block (otherwise it becomes a link).

    Returns the blocks and notes about anything that could not be carried over.
    """
    soup = BeautifulSoup(html, "html.parser")
    blocks: list[dict] = []
    notes: list[str] = []
    buffer: list[str] = []

    def flush() -> None:
        text = rich_text_clean("".join(buffer))
        buffer.clear()
        if BeautifulSoup(text, "html.parser").get_text().strip() or "<hr" in text:
            blocks.append({"type": "paragraph", "value": text})

    for node in soup.contents:
        if isinstance(node, NavigableString):
            if node.strip():
                buffer.append(f"<p>{html_lib.escape(str(node).strip())}</p>")
            continue
        if not isinstance(node, Tag):
            continue
        embed_card = node.name == "figure" and (
            "kg-embed-card" in node.get("class", []) or node.find("iframe") is not None
        )
        img = node if node.name == "img" else (node.find("img") if node.name == "figure" else None)
        if embed_card:
            flush()
            url = embed_card_url(node)
            caption_node = node.find("figcaption")
            caption = caption_node.get_text(" ", strip=True) if caption_node else ""
            if url and embeddable(url):
                blocks.append({"type": "embed", "value": url})
            elif url.startswith(("http://", "https://")):
                notes.append(f"embed {url} is not from a known embed provider and became a link")
                link = html_lib.escape(url)
                buffer.append(f'<p><a href="{link}">{html_lib.escape(caption) or link}</a></p>')
                caption = ""
            else:
                notes.append("an embed card without a URL was left out")
            if caption:
                buffer.append(f"<p>{html_lib.escape(caption)}</p>")
        elif img is not None and img.get("src"):
            flush()
            caption_node = node.find("figcaption") if node.name == "figure" else None
            caption = caption_node.get_text(" ", strip=True) if caption_node else ""
            image = image_for(img["src"])
            if image is None:
                notes.append(f"image {img['src']} could not be loaded and was left out")
                continue
            blocks.append(
                {
                    "type": "image",
                    "value": {"image": image.pk, "alt": img.get("alt") or "", "caption": caption},
                }
            )
        elif node.name == "blockquote":
            flush()
            blocks.append(
                {"type": "quote", "value": {"text": node.get_text("\n", strip=True), "attribution": ""}}
            )
        elif node.name == "pre":
            flush()
            code = node.find("code") or node
            language = next(
                (c.removeprefix("language-") for c in code.get("class", []) if c.startswith("language-")), ""
            )
            blocks.append({"type": "code", "value": {"language": language, "code": code.get_text()}})
        elif node.name == "h1":
            buffer.append(f"<h2>{node.decode_contents()}</h2>")
        else:
            buffer.append(str(node))
    flush()
    return blocks, notes


BLOCK_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "hr"}


def rich_text_clean(html: str) -> str:
    """Keep only what the rich text editor can represent; links keep only their href."""
    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes={"a": {"href"}}, link_rel=None)
    # Text and inline tags left at the top by stripped containers (a callout's divs) still need a
    # paragraph, as one run: "Jars on sale <em>Saturday</em>." is one paragraph, not three.
    out: list[str] = []
    run: list[str] = []

    def close_run() -> None:
        text = "".join(run).strip()
        if text:
            out.append(f"<p>{text}</p>")
        run.clear()

    for node in BeautifulSoup(cleaned, "html.parser").contents:
        if isinstance(node, Tag) and node.name in BLOCK_TAGS:
            close_run()
            out.append(str(node))
        elif isinstance(node, Tag):
            run.append(str(node))
        else:
            run.append(html_lib.escape(str(node), quote=False))
    close_run()
    return "".join(out)


def plain_summary(post: GhostPost, html: str, words: int = 40) -> str:
    if post.excerpt:
        return post.excerpt[:600]
    text = BeautifulSoup(html, "html.parser").get_text(" ", strip=True)
    parts = text.split()
    summary = " ".join(parts[:words]) + ("…" if len(parts) > words else "")
    return (summary or post.title)[:600]
