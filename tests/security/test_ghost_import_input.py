"""import_ghost refuses a hostile or broken export with one clear line and writes nothing."""

import copy
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page

from cms.models import Author, BlogPostPage, GhostImportRecord
from tests.factories.cms import blog_index_ensure

pytestmark = pytest.mark.django_db

EXPORT = json.loads((Path(__file__).parents[1] / "cms" / "fixtures" / "ghost-export.json").read_text())


@pytest.fixture
def blog_index(db):
    return blog_index_ensure()


def _small_export(**post_fields) -> dict:
    """One author and two html posts; the second takes `post_fields`."""
    posts = [
        {"id": "p1", "title": "Good post", "slug": "good-post", "status": "published", "html": "<p>Hi</p>"},
        {"id": "p2", "title": "Other post", "slug": "other-post", "status": "published", "html": "<p>Yo</p>"},
    ]
    posts[1].update(post_fields)
    return {
        "db": [
            {
                "data": {
                    "posts": posts,
                    "users": [{"id": "u1", "name": "Harriet", "slug": "harriet"}],
                    "posts_authors": [
                        {"post_id": "p1", "author_id": "u1"},
                        {"post_id": "p2", "author_id": "u1"},
                    ],
                }
            }
        ]
    }


def _with(change) -> dict:
    export = copy.deepcopy(EXPORT)
    change(export["db"][0]["data"])
    return export


def _set(table: str, index: int, **fields):
    return lambda data: data[table][index].update(fields)


def _drop(table: str, index: int, key: str):
    return lambda data: data[table][index].pop(key)


def _replace(table: str, value):
    return lambda data: data.__setitem__(table, value)


def _run(export_path: Path) -> str:
    out = io.StringIO()
    call_command("import_ghost", str(export_path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


BROKEN_EXPORTS = {
    "not-utf8": (json.dumps(_small_export()).replace("Good post", "Caf\xe9").encode("latin-1"), "UTF-8"),
    "deep-list": (b"[" * 100_000 + b"]" * 100_000, "nested"),
    "deep-object": (b'{"db": [{"data": ' + b'{"a": ' * 100_000 + b"1" + b"}" * 100_002 + b"]}", "nested"),
    "tag-without-id": (_with(_drop("tags", 0, "id")), "tags[0]"),
    "tag-not-object": (_with(_replace("tags", ["News"])), "tags[0]"),
    "tag-name-object": (_with(_set("tags", 0, name={"en": "News"})), "tags[0]"),
    "tags-not-list": (_with(_replace("tags", {"t1": {}})), "tags"),
    "user-without-id": (_with(_drop("users", 0, "id")), "users[0]"),
    "user-name-list": (_with(_set("users", 0, name=["Harriet"])), "users[0]"),
    "posts-tags-not-object": (_with(_replace("posts_tags", [["6650a1", "t1"]])), "posts_tags[0]"),
    "posts-tags-sort-order-text": (_with(_set("posts_tags", 0, sort_order="first")), "posts_tags[0]"),
    "posts-authors-not-object": (_with(_replace("posts_authors", [7])), "posts_authors[0]"),
    "posts-meta-not-object": (_with(_replace("posts_meta", ["post_id"])), "posts_meta[0]"),
    "post-html-list": (_small_export(html=["<p>x</p>"]), "posts[1]"),
    "post-lexical-object": (_small_export(html="", lexical={"root": {}}), "posts[1]"),
    "post-type-number": (_small_export(type=5), "posts[1]"),
    "post-status-list": (_small_export(status=["published"]), "posts[1]"),
    "post-feature-image-number": (_small_export(feature_image=5), "posts[1]"),
    "post-date-overflow": (_small_export(published_at=1e20), "posts[1]"),
    "post-title-nul": (_small_export(title="Other\x00post"), "posts[1]"),
    "post-slug-nul": (_small_export(slug="other\x00post"), "posts[1]"),
    "post-html-nul": (_small_export(html="<p>a\x00b</p>"), "posts[1]"),
    "post-title-control": (_small_export(title="Other\x1bpost"), "posts[1]"),
    "user-name-nul": (_with(_set("users", 0, name="Harriet\x00")), "users[0]"),
}


@pytest.mark.parametrize(("content", "where"), BROKEN_EXPORTS.values(), ids=BROKEN_EXPORTS.keys())
def test_import_ghost_broken_export_one_clear_line_nothing_written(blog_index, tmp_path, content, where):
    export = tmp_path / "export.json"
    export.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    pages, authors = Page.objects.count(), Author.objects.count()
    with pytest.raises(CommandError) as error:
        _run(export)
    message = str(error.value)
    assert "\n" not in message and len(message) < 1000
    assert str(export) in message and where in message
    assert Page.objects.count() == pages and Author.objects.count() == authors
    assert not GhostImportRecord.objects.exists()


@pytest.mark.parametrize(
    "post_fields",
    [
        {"html": "", "lexical": '{"root": ' + '{"children": [' * 5_000 + "]}" * 5_000 + "}"},
        {"html": "", "lexical": '{"root": {"children": [{"type": "text", "text": 5}]}}'},
        {"html": "", "lexical": '{"root": {"children": "abc"}}'},
        {"html": "", "mobiledoc": '{"sections": [[1]]}'},
        {"html": "", "mobiledoc": '{"sections": [[10, 99]], "cards": []}'},
        {"html": "", "mobiledoc": '{"sections": [[1, "p", [[0, [5], 0, "x"]]]], "markups": []}'},
        {"html": "", "mobiledoc": '["sections"]'},
        {"html": "", "lexical": '{"root": {"children": [{"type": "text", "text": "a\\u0000b"}]}}'},
    ],
    ids=[
        "lexical-deep",
        "lexical-text-number",
        "lexical-children-string",
        "mobiledoc-short-section",
        "mobiledoc-missing-card",
        "mobiledoc-missing-markup",
        "mobiledoc-list",
        "lexical-nul",
    ],
)
def test_import_ghost_broken_post_body_skipped_with_reason_others_imported(blog_index, tmp_path, post_fields):
    export = tmp_path / "export.json"
    export.write_text(json.dumps(_small_export(**post_fields)))
    out = _run(export)
    assert BlogPostPage.objects.filter(slug="good-post").exists()
    assert not BlogPostPage.objects.filter(slug="other-post").exists()
    assert "skipped post “other-post”:" in out
    assert GhostImportRecord.objects.count() == 1
