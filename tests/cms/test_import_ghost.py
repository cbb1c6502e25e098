"""import_ghost: a hand-written Ghost 5 export (html, lexical, mobiledoc) imported, rendered, re-run."""

import functools
import io
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.models import Page, Revision

from cms.models import Author, BlogCategory, BlogPostPage, ContentPage, GhostImportRecord
from tests.conftest import free_port

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "ghost-export.json"
IMAGES = FIXTURES / "ghost-images"


@pytest.fixture
def old_blog():
    """The old Ghost site, as far as images go: a real HTTP server on 127.0.0.1."""
    handler = functools.partial(QuietHandler, directory=str(FIXTURES / "ghost-remote"))
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def run_import(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_ghost", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def imported(blog_index, old_blog):
    BlogCategory.objects.create(slug="recipes", name="Recipes")
    return run_import(str(EXPORT), "--images-dir", str(IMAGES), "--ghost-url", old_blog)


def test_import_ghost_creates_posts_and_pages_with_original_slugs_and_dates(imported):
    out, err = imported
    assert out.splitlines()[0] == "4 created, 0 updated, 0 unchanged, 2 skipped"
    honey = BlogPostPage.objects.get(slug="honey-harvest")
    assert honey.live and honey.first_published_at.isoformat() == "2024-01-11T08:00:00+00:00"
    assert honey.last_published_at.isoformat() == "2024-01-12T15:30:00+00:00"
    assert honey.latest_revision.created_at.isoformat() == "2024-01-12T15:30:00+00:00"
    assert honey.summary == "A record year for the cooperative's hives."
    assert (honey.seo_title, honey.search_description) == (
        "Honey harvest 2024",
        "How much honey the hives gave this year.",
    )
    assert honey.hero_image is not None and honey.hero_image_alt == "Hives in the orchard"
    assert honey.category.slug == "news"  # no tag names an existing category: the default
    assert sorted(t.name for t in honey.tags.all()) == ["Honey", "News"]  # #internal tags dropped
    assert [a.slug for a in honey.authors] == ["harriet"]
    assert Author.objects.get(slug="harriet").bio == "Keeps the cooperative's bees."
    assert [b.block_type for b in honey.body] == ["paragraph", "image", "quote", "code", "embed", "paragraph"]
    # Ghost's html keeps only the player's address; the embed block gets the page URL oEmbed knows.
    assert honey.body[4].value.url == "https://www.youtube.com/watch?v=abc123"
    assert "Importing [" in err and "] 6/6" in err


def test_import_ghost_lexical_only_post_and_remote_feature_image(imported):
    bread = BlogPostPage.objects.get(slug="sourdough-starter")
    assert bread.category.slug == "recipes"  # its first tag names a category
    assert [a.slug for a in bread.authors] == ["basil", "harriet"]
    assert bread.hero_image.width == 800  # fetched from the old blog over HTTP
    assert bread.canonical_url == "https://old.example.org/sourdough-starter/"
    html = str(bread.body)
    assert "<h2>Starter</h2>" in html and '<a href="https://example.org/starter">the guide</a>' in html
    assert "<li>flour</li>" in html and "<em>water</em>" in html
    embed, caption = bread.body[-2:]  # a Lexical embed card keeps its URL and its caption
    assert (embed.block_type, embed.value.url) == ("embed", "https://vimeo.com/76979871")
    assert caption.block_type == "paragraph" and "Shaping the loaf" in caption.value.source


def test_import_ghost_mobiledoc_draft_stays_draft(imported):
    draft = BlogPostPage.objects.get(slug="quince-jelly")
    assert not draft.live and draft.first_published_at is None
    assert [b.block_type for b in draft.body] == ["paragraph", "code", "paragraph"]
    # A Mobiledoc embed card from no known provider becomes a link, found without any request.
    assert '<a href="https://maps.example.org/orchard">' in draft.body[2].value.source
    assert "<b>quince</b>" in str(draft.body) or "<strong>quince</strong>" in str(draft.body)


def test_import_ghost_page_becomes_content_page(imported):
    page = ContentPage.objects.get(slug="apiary")
    assert page.get_parent().specific_class.__name__ == "HomePage"
    assert "<h2>Our apiary</h2>" in str(page.body)


def test_import_ghost_reports_skips_with_reasons(imported):
    out, _ = imported
    assert "skipped post “lost-photo”: feature image __GHOST_URL__/content/images/2024/01/missing.jpg" in out
    assert "skipped post “newsletter-only”: status 'sent'" in out
    assert (
        "note on post “quince-jelly”: embed https://maps.example.org/orchard is not from a known embed "
        "provider and became a link"
    ) in out
    assert not Page.objects.filter(slug__in=["lost-photo", "newsletter-only"]).exists()


def test_import_ghost_profile_images_become_author_avatars(imported):
    harriet, basil = Author.objects.get(slug="harriet"), Author.objects.get(slug="basil")
    assert harriet.avatar.title == "Harriet Hive" and harriet.avatar.width == 120  # from --images-dir
    assert basil.avatar.title == "Basil Baker" and basil.avatar.width == 120  # fetched from the old blog


def test_import_ghost_keeps_an_avatar_the_editor_chose(imported, old_blog, tmp_path):
    harriet = Author.objects.get(slug="harriet")
    chosen = BlogPostPage.objects.get(slug="sourdough-starter").hero_image
    harriet.avatar = chosen
    harriet.save()
    export = json.loads(EXPORT.read_text())
    export["db"][0]["data"]["posts"][0]["title"] = "The honey harvest, revised"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(export))
    run_import(str(changed), "--images-dir", str(IMAGES), "--ghost-url", old_blog)
    harriet.refresh_from_db()
    assert harriet.avatar == chosen


@pytest.fixture
def known_embeds(db):
    """Wagtail's embed cache already holds the oEmbed answers, so rendering makes no request."""
    for url, title in [
        ("https://www.youtube.com/watch?v=abc123", "Honey video"),
        ("https://vimeo.com/76979871", "Shaping a loaf"),
    ]:
        Embed.objects.create(
            url=url,
            hash=get_embed_hash(url),
            type="video",
            html=f'<iframe src="{url}" title="{title}"></iframe>',
            width=640,
            height=360,
        )


def test_imported_posts_render_without_unsafe_markup(client, imported, known_embeds):
    response = client.get("/blog/honey-harvest/")
    html = response.content.decode()
    assert response.status_code == 200
    assert '<iframe src="https://www.youtube.com/watch?v=abc123" title="Honey video">' in html
    assert "The bees had a <strong>very</strong> good year." in html or "<b>very</b>" in html
    assert "Jars on sale <em>Saturday</em>." in html or "Jars on sale <i>Saturday</i>." in html
    assert "alert('x')" not in html and "style=" not in html.split('<div class="post-body">')[1]
    assert client.get("/blog/sourdough-starter/").status_code == 200
    assert client.get("/apiary/").status_code == 200
    assert client.get("/blog/quince-jelly/").status_code == 404


def test_import_ghost_second_run_changes_nothing(imported, old_blog):
    counts = (Page.objects.count(), Revision.objects.count(), GhostImportRecord.objects.count())
    out, _ = run_import(str(EXPORT), "--images-dir", str(IMAGES), "--ghost-url", old_blog)
    assert out.splitlines()[0] == "0 created, 0 updated, 4 unchanged, 2 skipped"
    assert (Page.objects.count(), Revision.objects.count(), GhostImportRecord.objects.count()) == counts


def test_import_ghost_changed_post_gets_new_revision(imported, old_blog, tmp_path):
    export = json.loads(EXPORT.read_text())
    export["db"][0]["data"]["posts"][0]["title"] = "The honey harvest, revised"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(export))
    honey = BlogPostPage.objects.get(slug="honey-harvest")
    revisions = honey.revisions.count()
    out, _ = run_import(str(changed), "--images-dir", str(IMAGES), "--ghost-url", old_blog)
    assert out.splitlines()[0] == "0 created, 1 updated, 3 unchanged, 2 skipped"
    honey.refresh_from_db()
    assert honey.title == "The honey harvest, revised" and honey.revisions.count() == revisions + 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"db": [{"data": {"posts": [', "not valid JSON (line 1"),
        ('{"posts": []}', "not a Ghost export"),
        ('{"db": [{"data": {"posts": {"id": 1}}}]}', "“posts” must be a list"),
        (
            '{"db": [{"data": {"posts": [{"id": "1", "title": "ok", "slug": "ok"}, '
            '{"id": "2", "slug": "x"}]}}]}',
            "posts[1]: missing or empty “title”",
        ),
        (
            '{"db": [{"data": {"posts": [{"id": "1", "title": "t", "slug": "s", '
            '"published_at": "yesterday"}]}}]}',
            "unreadable date 'yesterday'",
        ),
    ],
)
def test_import_ghost_malformed_export_clear_error_nothing_written(blog_index, tmp_path, content, message):
    export = tmp_path / "bad.json"
    export.write_text(content)
    pages = Page.objects.count()
    with pytest.raises(CommandError) as error:
        run_import(str(export))
    assert message in str(error.value) and str(export) in str(error.value)
    assert Page.objects.count() == pages and not GhostImportRecord.objects.exists()


def test_import_ghost_missing_file_is_clear_error(blog_index, tmp_path):
    with pytest.raises(CommandError, match="cannot read the file"):
        run_import(str(tmp_path / "nope.json"))
