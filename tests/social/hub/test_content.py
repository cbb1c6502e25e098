"""Pure content helpers: sanitising remote posts and rendering typed notes (no database)."""

from edge.sanitise import html_sanitise, plain_text
from social.hub.content import (
    MentionRef,
    attachments_extract,
    handle_split,
    hashtags_find,
    mentions_find,
    note_html,
    tags_extract,
)


def test_html_sanitise_script_and_handlers_removed():
    cleaned = html_sanitise('<p onclick="x()">hi<script>alert(1)</script><a href="javascript:x()">l</a></p>')
    assert "script" not in cleaned and "onclick" not in cleaned and "javascript" not in cleaned
    assert cleaned.startswith("<p>hi")


def test_html_sanitise_links_get_safe_rel():
    cleaned = html_sanitise('<a href="https://example.org/">x</a>')
    assert 'rel="nofollow noopener noreferrer"' in cleaned


def test_html_sanitise_non_string_empty():
    assert html_sanitise(None) == ""


def test_plain_text_markup_dropped_entities_decoded():
    assert plain_text("<b>Spoilers</b> &amp; more") == "Spoilers & more"


def test_handle_split_accepts_with_and_without_at():
    assert handle_split("@Alice@Example.Social") == ("Alice", "example.social")
    assert handle_split("bob@host:8080") == ("bob", "host:8080")


def test_handle_split_url_is_not_a_handle():
    assert handle_split("https://example.social/@alice") is None


def test_attachments_extract_images_with_alt():
    obj = {
        "attachment": [
            {
                "type": "Document",
                "mediaType": "image/jpeg",
                "url": "https://x.example/a.jpg",
                "name": "<b>A</b> cat",
            },
            {"type": "Image", "url": [{"href": "https://x.example/b.png"}]},
            {"type": "Document", "url": "javascript:alert(1)"},
        ]
    }
    assert attachments_extract(obj) == [
        {"url": "https://x.example/a.jpg", "alt": "A cat", "media_type": "image/jpeg"},
        {"url": "https://x.example/b.png", "alt": "", "media_type": "image/*"},
    ]


def test_tags_extract_mentions_and_hashtags():
    obj = {"tag": [{"type": "Mention", "href": "https://a/u/b"}, {"type": "Hashtag", "name": "#Coops"}]}
    assert tags_extract(obj) == (["https://a/u/b"], ["Coops"])


def test_mentions_find_handles_once_email_like_inside_words_ignored():
    text = "Hi @alice@example.social and @Alice@Example.social, mail me at me@example.org"
    assert mentions_find(text) == ["alice@example.social"]


def test_hashtags_find_ignores_url_fragments():
    assert hashtags_find("#coops are great https://x.example/#anchor #Food") == ["coops", "Food"]


def test_note_html_links_mentions_hashtags_and_escapes():
    refs = {
        "alice@example.social": MentionRef(
            "alice@example.social", "https://example.social/users/alice", "https://example.social/@alice"
        )
    }
    html = note_html(
        "Hi @alice@example.social <b>\n#Coops https://example.org/a?b=1.\n\nsecond @nobody@nowhere.example",
        refs,
        "https://site/tags/{tag}/",
    )
    assert '<a href="https://example.social/@alice" class="u-url mention">@<span>alice</span></a>' in html
    assert "&lt;b&gt;" in html
    assert 'href="https://site/tags/coops/"' in html and "#<span>Coops</span>" in html
    assert '<a href="https://example.org/a?b=1" rel="nofollow noopener noreferrer">' in html
    assert html.count("<p>") == 2 and "<br>" in html
    assert "@nobody@nowhere.example" in html  # unresolved: left as text
