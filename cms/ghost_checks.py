"""Shape checks for a Ghost export: every row an object with its ids, text where text is read, no NUL.

The reader runs these over the whole export before anything is written, so a broken or hostile
export is refused with one line naming each bad row, instead of failing half way through the import
(a KeyError on a tag without an id, a NUL byte PostgreSQL refuses, a recursion on deep nesting).
"""

import re
from dataclasses import dataclass

# NUL and the other C0 controls but tab and newlines, DEL, and lone surrogates (which no database
# encoding accepts). PostgreSQL refuses NUL in text outright; SQLite stores it and pages break.
TEXT_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
MAX_DEPTH = 64  # Ghost's own exports are a few levels deep; Lexical bodies are strings inside them
GHOST_ID_MAX = 64  # GhostImportRecord.ghost_id


@dataclass(frozen=True)
class TableShape:
    ids: tuple[str, ...] = ()  # required, text or a whole number
    required_texts: tuple[str, ...] = ()  # required text
    texts: tuple[str, ...] = ()  # text or null when present
    numbers: tuple[str, ...] = ()  # a number or null when present
    dates: tuple[str, ...] = ()  # ISO text, milliseconds or null when present


POST_TEXTS = (
    "type", "status", "html", "lexical", "mobiledoc", "custom_excerpt", "feature_image",
    "feature_image_alt", "meta_title", "meta_description", "canonical_url",
)  # fmt: skip
TABLE_SHAPES = {
    # posts' id, title and slug are checked by the reader itself, with its own messages
    "posts": TableShape(texts=POST_TEXTS, dates=("published_at", "updated_at")),
    "posts_meta": TableShape(ids=("post_id",), texts=("meta_title", "meta_description", "feature_image_alt")),
    "tags": TableShape(ids=("id",), required_texts=("name",), texts=("slug",)),
    "users": TableShape(ids=("id",), texts=("name", "slug", "bio", "profile_image")),
    "posts_tags": TableShape(ids=("post_id", "tag_id"), numbers=("sort_order",)),
    "posts_authors": TableShape(ids=("post_id", "author_id"), numbers=("sort_order",)),
}


def nesting_too_deep(document: object, limit: int = MAX_DEPTH) -> bool:
    """True if lists and objects nest deeper than `limit` (walked without recursion)."""
    stack = [(document, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict | list):
            if depth > limit:
                return True
            children = node.values() if isinstance(node, dict) else node
            stack.extend((child, depth + 1) for child in children)
    return False


def table_problems(name: str, rows: list) -> list[str]:
    """What is wrong with the rows of table `name`, one short phrase per problem."""
    shape = TABLE_SHAPES.get(name, TableShape())
    problems = []
    for n, row in enumerate(rows):
        where = f"{name}[{n}]"
        if not isinstance(row, dict):
            problems.append(f"{where}: not an object")
            continue
        problems += [f"{where}: {problem}" for problem in _row_problems(row, shape)]
    return problems


def _row_problems(row: dict, shape: TableShape) -> list[str]:
    problems = []
    for key in shape.ids:
        value = row.get(key)
        if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
            problems.append(f"missing or empty “{key}”")
        elif len(str(value)) > GHOST_ID_MAX:
            problems.append(f"“{key}” longer than {GHOST_ID_MAX} characters")
    for key in shape.required_texts:
        if not isinstance(row.get(key), str):
            problems.append(f"missing “{key}” (text)")
    for key in shape.texts:
        if row.get(key) is not None and not isinstance(row[key], str):
            problems.append(f"“{key}” is {type(row[key]).__name__}, not text")
    for key in shape.numbers:
        if row.get(key) is not None and (isinstance(row[key], bool) or not isinstance(row[key], int | float)):
            problems.append(f"“{key}” is not a number")
    for key in shape.dates:
        if row.get(key) is not None and (
            isinstance(row[key], bool) or not isinstance(row[key], str | int | float)
        ):
            problems.append(f"“{key}” is not a date")
    for key, value in row.items():
        if isinstance(value, str) and TEXT_FORBIDDEN.search(value):
            problems.append(f"“{key}” contains a NUL or control character")
    return problems


def _null_or(value: object, kinds) -> bool:
    return value is None or (isinstance(value, kinds) and not isinstance(value, bool))
