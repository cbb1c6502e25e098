"""Reading a Ghost JSON export: validation, Lexical/Mobiledoc/HTML to StreamField blocks, images.

Pure conversion lives here; the database writes are in cms/ghost_import.py and the command only
parses arguments and reports.
"""

import html as html_lib
import json
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

import nh3
from bs4 import BeautifulSoup, NavigableString, Tag

from cms.embeds import url_embeddable
from cms.ghost_checks import GHOST_ID_MAX, TABLE_SHAPES, TEXT_FORBIDDEN, nesting_too_deep, table_problems
from edge.http import RemoteFetchError, ResponseTooLarge, remote_request

ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "a", "b", "strong", "i", "em", "code", "br", "hr"}
MAX_IMAGE_BYTES = 20 * 1024 * 1024


class GhostExportError(ValueError):
    """The export as a whole cannot be imported; nothing is written."""


class PostSkipped(Exception):
    """One post cannot be imported; its transaction is rolled back and the import goes on."""


@dataclass
class GhostPost:
    ghost_id: str
    type: str
    status: str
    title: str
    slug: str
    html: str
    lexical: str | None
    mobiledoc: str | None
    excerpt: str
    feature_image: str | None
    feature_image_alt: str
    published_at: datetime | None
    updated_at: datetime | None
    meta_title: str
    meta_description: str
    canonical_url: str
    tags: list[dict] = field(default_factory=list)
    authors: list[dict] = field(default_factory=list)
    raw: dict = field(default_factory=dict)


def ghost_export_read(path: Path) -> list[GhostPost]:
    """Parse and validate the whole export before anything is written."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise GhostExportError(f"{path}: cannot read the file ({exc.strerror})") from None
    except UnicodeDecodeError as exc:
        raise GhostExportError(f"{path}: not UTF-8 text (byte {exc.start} cannot be decoded)") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise GhostExportError(
            f"{path}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    except RecursionError:
        raise GhostExportError(f"{path}: the JSON is nested too deeply to be a Ghost export") from None
    if nesting_too_deep(document):
        raise GhostExportError(f"{path}: the JSON is nested too deeply to be a Ghost export")
    data = _export_data(document, path)
    tables = {name: _table(data, name, path, required=name == "posts") for name in TABLE_SHAPES}
    problems = [problem for name, rows in tables.items() for problem in table_problems(name, rows)]
    if problems:  # the rows below are read as objects with ids: say which ones are not, and stop
        raise GhostExportError(f"{path}: malformed Ghost export: {_problems_line(problems)}")
    tags = {t["id"]: t for t in tables["tags"]}
    users = {u["id"]: u for u in tables["users"]}
    meta = {m["post_id"]: m for m in tables["posts_meta"]}
    post_tags: dict[str, list] = {}
    for row in sorted(tables["posts_tags"], key=lambda r: r.get("sort_order") or 0):
        if row.get("tag_id") in tags:
            post_tags.setdefault(row.get("post_id"), []).append(tags[row["tag_id"]])
    post_authors: dict[str, list] = {}
    for row in sorted(tables["posts_authors"], key=lambda r: r.get("sort_order") or 0):
        if row.get("author_id") in users:
            post_authors.setdefault(row.get("post_id"), []).append(users[row["author_id"]])

    posts = []
    for n, row in enumerate(tables["posts"]):
        where = f"posts[{n}]"
        for key in ("id", "title", "slug"):
            if not isinstance(row.get(key), str | int) or not str(row.get(key)).strip():
                problems.append(f"{where}: missing or empty “{key}”")
        if len(str(row.get("id"))) > GHOST_ID_MAX:
            problems.append(f"{where}: “id” longer than {GHOST_ID_MAX} characters")
        try:
            published_at = _date(row.get("published_at"))
            updated_at = _date(row.get("updated_at"))
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if problems:
            continue
        post_meta = meta.get(row["id"], {})
        posts.append(
            GhostPost(
                ghost_id=str(row["id"]),
                type=row.get("type") or "post",
                status=row.get("status") or "draft",
                title=str(row["title"]).strip()[:255],
                slug=str(row["slug"]).strip(),
                html=row.get("html") or "",
                lexical=row.get("lexical"),
                mobiledoc=row.get("mobiledoc"),
                excerpt=(row.get("custom_excerpt") or "").strip(),
                feature_image=row.get("feature_image"),
                feature_image_alt=(
                    post_meta.get("feature_image_alt") or row.get("feature_image_alt") or ""
                ).strip(),
                published_at=published_at,
                updated_at=updated_at or published_at,
                meta_title=(post_meta.get("meta_title") or row.get("meta_title") or "").strip(),
                meta_description=(
                    post_meta.get("meta_description") or row.get("meta_description") or ""
                ).strip(),
                canonical_url=(row.get("canonical_url") or "").strip(),
                tags=post_tags.get(row["id"], []),
                authors=post_authors.get(row["id"], []),
                raw={
                    "post": row,
                    "meta": post_meta,
                    "tags": post_tags.get(row["id"], []),
                    "authors": post_authors.get(row["id"], []),
                },
            )
        )
    if problems:
        raise GhostExportError(f"{path}: malformed Ghost export: {_problems_line(problems)}")
    return posts


def _problems_line(problems: list[str]) -> str:
    return "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")


def _export_data(document, path: Path) -> dict:
    # Ghost writes {"db": [{"meta": ..., "data": {...}}]}; some tools write the inner object alone.
    if isinstance(document, dict) and isinstance(document.get("db"), list) and document["db"]:
        document = document["db"][0]
    if isinstance(document, dict) and isinstance(document.get("data"), dict):
        return document["data"]
    raise GhostExportError(f'{path}: not a Ghost export (expected {{"db": [{{"data": {{"posts": …}}}}]}})')


def _table(data: dict, name: str, path: Path, required: bool) -> list:
    rows = data.get(name)
    if rows is None and not required:
        return []
    if not isinstance(rows, list):
        raise GhostExportError(f"{path}: “{name}” must be a list of rows")
    return rows


def _date(value) -> datetime | None:
    if value in (None, ""):
        return None
    if isinstance(value, int | float):  # milliseconds, as in older exports
        from datetime import UTC

        try:
            return datetime.fromtimestamp(value / 1000, tz=UTC)
        except (OverflowError, OSError, ValueError):  # out of the platform's range, or NaN
            raise ValueError(f"unreadable date {value!r}") from None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"unreadable date {value!r}") from None
    if parsed.tzinfo is None:
        from datetime import UTC

        parsed = parsed.replace(tzinfo=UTC)
    return parsed


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

# Ghost stores the provider's player markup; Wagtail's embed block wants the page URL the oEmbed
# providers know, so the common players are mapped back to it.
PLAYER_URLS = [
    (
        re.compile(r"^https?://(?:www\.)?youtube(?:-nocookie)?\.com/embed/([\w-]+)"),
        "https://www.youtube.com/watch?v={}",
    ),
    (re.compile(r"^https?://player\.vimeo\.com/video/(\d+)"), "https://vimeo.com/{}"),
]


def embed_card_html(url: str, html: str, caption: str) -> str:
    """A Lexical/Mobiledoc embed card as Ghost renders it, keeping the original URL in data-url."""
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return (
        f'<figure class="kg-card kg-embed-card" data-url="{html_lib.escape(url)}">{html}{figcaption}</figure>'
    )


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


# --- images ------------------------------------------------------------------------------------


class GhostImages:
    """Finds a post's images in a local copy of content/images, or fetches them by URL.

    Fetches go through edge.http like every request to an address others chose: public addresses only
    (an export may name http://127.0.0.1:… or a cloud metadata address), one deadline, a size cap.
    """

    def __init__(self, images_dir: Path | None, ghost_url: str | None, timeout: float | None = None):
        self.images_dir = images_dir
        self.ghost_url = (ghost_url or "").rstrip("/")
        self.timeout = timeout  # None: settings.EDGE_FETCH_DEADLINE_SECONDS

    def read(self, src: str) -> tuple[bytes, str]:
        """The image's bytes and a file name; raises PostSkipped with the reason if unavailable."""
        return self._read(src)

    def _read(self, src: str) -> tuple[bytes, str]:
        src = src.strip()
        local_path = self._local_path(src)
        if local_path is not None:
            if local_path.is_file():
                return local_path.read_bytes(), local_path.name
            if not self._absolute(src):
                raise PostSkipped(f"image {src} is not in {self.images_dir}")
        url = self._absolute(src)
        if not url:
            raise PostSkipped(f"image {src} has no URL to fetch it from (pass --ghost-url or --images-dir)")
        try:
            response = remote_request(
                "GET", url, max_bytes=MAX_IMAGE_BYTES, deadline_seconds=self.timeout, redirects=3
            )
        except ResponseTooLarge:
            raise PostSkipped(f"image {url} is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB") from None
        except RemoteFetchError as exc:
            raise PostSkipped(f"image {url} could not be fetched ({exc})") from None
        if response.status_code != 200:
            raise PostSkipped(f"image {url} could not be fetched (HTTP {response.status_code})")
        return response.content, Path(urlsplit(url).path).name or "image"

    def _absolute(self, src: str) -> str:
        if src.startswith("__GHOST_URL__"):
            return self.ghost_url + src.removeprefix("__GHOST_URL__") if self.ghost_url else ""
        if src.startswith("/") and self.ghost_url:
            return self.ghost_url + src
        return src if src.startswith(("http://", "https://")) else ""

    def _local_path(self, src: str) -> Path | None:
        if self.images_dir is None:
            return None
        path = unquote(urlsplit(src.replace("__GHOST_URL__", "")).path)
        marker = "/content/images/"
        if marker not in path:
            return None
        relative = path.split(marker, 1)[1]
        candidate = (self.images_dir / relative).resolve()
        if self.images_dir.resolve() not in candidate.parents:
            return None  # never read outside the folder the operator named
        return candidate
