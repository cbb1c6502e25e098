"""Conditional GETs: a revisit with the validators it was given is a 304 while nothing changed and
a 200 once it has, for a page (ETag, gzipped or not) and for a static file (ETag, Last-Modified)."""

import os

import pytest
from django.test import Client

from tests.factories.cms import blog_post

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", [GZIP, {}], ids=["gzip", "plain"])
def test_not_modified_page_revisit_with_its_etag_is_a_304_until_it_changes(client, settings, encoding):
    settings.CMS_PAGE_CACHE_SECONDS = 600  # the second visit is the in-app cache's hit
    post = blog_post(title="Asked twice", summary="Nothing changed in between.")
    first = client.get(post.url, **encoding)
    assert first.status_code == 200 and first.has_header("ETag"), dict(first.headers)
    assert (first.get("Content-Encoding") == "gzip") == bool(encoding)
    again = client.get(post.url, HTTP_IF_NONE_MATCH=first["ETag"], **encoding)
    assert again.status_code == 304 and again.content == b""
    # A 304 has no body for GZip to compress, so its ETag is the unweakened one: the same validator
    # under the weak comparison If-None-Match uses (RFC 9110 13.1.2).
    assert again["ETag"].removeprefix("W/") == first["ETag"].removeprefix("W/")

    post.title = "Asked twice, then edited"
    post.save_revision().publish()
    edited = client.get(post.url, HTTP_IF_NONE_MATCH=first["ETag"], **encoding)
    assert edited.status_code == 200 and edited["ETag"] != first["ETag"]


@pytest.fixture
def static_image(settings, tmp_path):
    """An image in a STATIC_ROOT of its own, read by a fresh client's WhiteNoise: no compressed copy
    beside it, as collectstatic leaves none for formats that are compressed already."""
    settings.STATIC_ROOT = str(tmp_path)
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "stall.png").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(4096))
    return f"{settings.STATIC_URL}img/stall.png"


@pytest.mark.django_db
def test_not_modified_static_file_revisit_with_its_etag_or_date_is_a_304(static_image):
    browser = Client()
    first = browser.get(static_image, **GZIP)
    assert first.status_code == 200
    # With GZipMiddleware above WhiteNoise the image was compressed again and its ETag weakened to
    # W/"…", which WhiteNoise's exact comparison never matched: every revisit a full 200.
    by_etag = browser.get(static_image, HTTP_IF_NONE_MATCH=first["ETag"], **GZIP)
    assert by_etag.status_code == 304, (first["ETag"], first.get("Content-Encoding"))
    # Served as stored: an image is not compressed again, and its ETag is WhiteNoise's own.
    assert not first.has_header("Content-Encoding") and not first["ETag"].startswith("W/")
    assert b"".join(first.streaming_content).startswith(b"\x89PNG")
    by_date = browser.get(static_image, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"], **GZIP)
    assert by_date.status_code == 304
    stale = browser.get(static_image, HTTP_IF_NONE_MATCH='"not-this-one"', **GZIP)
    assert stale.status_code == 200
