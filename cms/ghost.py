"""Reading a Ghost JSON export: validation, its posts as GhostPost, and the images they name.

Body formats are rendered in cms/ghost_formats.py and turned into StreamField blocks in
cms/ghost_blocks.py; the database writes are in cms/ghost_import.py and the command only parses
arguments and reports.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit

from cms.ghost_checks import GHOST_ID_MAX, TABLE_SHAPES, nesting_too_deep, table_problems
from edge.http import RemoteFetchError, ResponseTooLarge, remote_request

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
