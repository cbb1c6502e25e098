"""Through the front door over HTTPS (Caddy's local CA, HTTP/2) to gunicorn, a Celery worker and
beat, as scripts/prod-stack runs them: caching, purging, sessions and federation end to end."""

import gzip
import os
import re

import pytest
from django.urls import reverse

from tests.factories.commerce import stocked_product
from tests.factories.social import blog_post, publish
from tests.social.federation.fake_remote import FakeRemote

from .stack import ROOT, front_door_missing, login, member, wait_until

pytestmark = [
    pytest.mark.front_door,
    # One stack for the package (conftest.py), on one xdist process: a second empties the first's Redis.
    pytest.mark.xdist_group("front-door"),
    pytest.mark.skipif(bool(front_door_missing()), reason=front_door_missing() or ""),
]


def test_front_door_anonymous_page_second_request_is_a_cache_hit_over_http2(site):
    post = publish(blog_post(title="Hit me twice", summary="Cached at the door."))
    url = f"{site.url}{post.url}"
    reader = site.session()
    first = reader.get(url)
    second = reader.get(url)
    assert first.status_code == second.status_code == 200
    # Whether the first read is a hit depends on whether the publish's purge ran before it: a PURGE
    # refreshes the page at the door (nginx.conf). The second read is a hit either way.
    assert second.headers["X-Cache-Status"] == "HIT"
    assert second.text == first.text and "Hit me twice" in second.text
    assert "X-Accel-Expires" not in second.headers  # meant for nginx only
    assert set(re.split(r",\s*", second.headers["Vary"])) >= {"Cookie", "Accept"}
    assert "public" in second.headers["Cache-Control"]
    assert site.tls_version() == "h2"
    static = reader.get(
        f"{site.url}/static/css/" + next(os.scandir(ROOT / "var" / "test-prod-stack-static" / "css")).name
    )
    assert static.status_code == 200 and static.headers["X-Cache-Status"] == "STATIC"


def cache_entry(site, key: str) -> bytes:
    """nginx's stored entry (its header block and the bytes it sends) for a cache key."""
    marker = f"\nKEY: {key}\n".encode()
    entries = [f.read_bytes() for f in (site.state / "cache").rglob("*") if f.is_file()]
    found = [entry for entry in entries if marker in entry]
    assert len(found) == 1, (key, len(found))
    return found[0]


def test_front_door_keeps_a_page_gzipped_and_plain_and_serves_each_as_stored(site):
    post = publish(blog_post(title="Kept twice", summary="Zipped once, and plain beside it."))
    url = f"{site.url}{post.url}"
    browser_like, curl_like = site.session(), site.session()  # requests takes gzip, as browsers do
    plain_headers = {"Accept-Encoding": "identity"}
    browser_like.get(url)
    hit = browser_like.get(url, stream=True)
    assert hit.headers["X-Cache-Status"] == "HIT" and hit.headers["Content-Encoding"] == "gzip"
    sent = hit.raw.read()  # the bytes as they came over the wire
    # The plain copy is an entry of its own, not the gzipped one inflated per request.
    curl_like.get(url, headers=plain_headers)
    plain = curl_like.get(url, headers=plain_headers)
    assert plain.headers["X-Cache-Status"] == "HIT" and "Content-Encoding" not in plain.headers
    assert gzip.decompress(sent).decode() == plain.text and "Kept twice" in plain.text
    for answer in (hit, plain):  # what a browser's own cache keys on is said both ways
        assert "Accept-Encoding" in re.split(r",\s*", answer.headers["Vary"])
    gzipped, stored_plain = (
        cache_entry(site, f"page-gzip{post.url}"),
        cache_entry(site, f"page-identity{post.url}"),
    )
    assert b"\nContent-Encoding: gzip\r\n" in gzipped and b"Content-Encoding" not in stored_plain
    assert stored_plain.endswith(plain.content)
    # Any other Accept-Encoding is one of the two entries, and gzip;q=0 is a refusal.
    for other in ("br", "gzip;q=0", "*"):
        answer = curl_like.get(url, headers={"Accept-Encoding": other})
        assert answer.headers["X-Cache-Status"] == "HIT" and "Content-Encoding" not in answer.headers, other
    assert (
        browser_like.get(url, headers={"Accept-Encoding": "br, gzip"}).headers["Content-Encoding"] == "gzip"
    )


def test_front_door_edit_refreshes_the_gzipped_and_the_plain_copy(site):
    post = publish(blog_post(title="Both before", summary="Old words, twice."))
    url = f"{site.url}{post.url}"
    browser_like, curl_like = site.session(), site.session()
    plain_headers = {"Accept-Encoding": "identity"}
    for reader, headers in ((browser_like, None), (curl_like, plain_headers)):
        reader.get(url, headers=headers)
        assert reader.get(url, headers=headers).headers["X-Cache-Status"] == "HIT"

    post.title = "Both after"
    publish(post)
    # The worker's PURGE comes when it comes (30 s, as the edit test above); once the gzipped copy
    # shows the edit, the plain one is a HIT with it too: the same PURGE refreshed it (a mirror
    # subrequest, done within the second), it did not expire nor miss.
    gzipped = wait_until(
        lambda: (
            (answer := browser_like.get(url)).headers["X-Cache-Status"] == "HIT"
            and "Both after" in answer.text
            and answer
        ),
        30.0,
        "the edit in the gzipped copy",
        site,
    )
    assert gzipped.headers["Content-Encoding"] == "gzip"

    def plain_refreshed():
        answer = curl_like.get(url, headers=plain_headers)
        return answer.headers["X-Cache-Status"] == "HIT" and "Both after" in answer.text and answer

    plain = wait_until(plain_refreshed, 1.0, "the edit in the plain copy", site)
    assert "Content-Encoding" not in plain.headers and "Both before" not in plain.text


def test_front_door_edit_is_visible_within_a_second(site):
    post = publish(blog_post(title="Before the edit", summary="Old words."))
    url = f"{site.url}{post.url}"
    reader = site.session()
    reader.get(url)
    cached = reader.get(url)
    assert cached.headers.get("X-Cache-Status") == "HIT", (cached.status_code, cached.headers, site.logs())

    post.title = "After the edit"
    publish(post)
    # The purge is queued after commit and run by the worker. How fast is a benchmark's question
    # (a timed assertion here failed CI on a loaded 2-core machine); this test's is that it happens.
    wait_until(lambda: "After the edit" in reader.get(url).text, 30.0, "the edit at the door", site)
    # Listings and menus change too: the blog index is purged with the post (by the same purges,
    # which several tasks may send at once, so it is waited for as the post is).
    index = f"{site.url}{post.get_parent().url}"
    wait_until(lambda: "After the edit" in reader.get(index).text, 30.0, "the edit on the blog index", site)


def test_front_door_shopper_never_sees_another_shoppers_basket(site):
    honey = stocked_product(title="Front door honey")
    ada, bob = member("Ada"), member("Bob")
    anonymous = site.session()
    anonymous.get(f"{site.url}/")
    assert anonymous.get(f"{site.url}/").headers["X-Cache-Status"] == "HIT"

    ada_session = login(site, ada.email)
    add = reverse("basket:add", args=[honey.pk])
    basket_page = ada_session.get(f"{site.url}/shop/basket/")
    token = ada_session.cookies["csrftoken"]
    added = ada_session.post(
        f"{site.url}{add}",
        data={"quantity": 1, "csrfmiddlewaretoken": token},
        headers={"Referer": basket_page.url, "Origin": site.url},
    )
    assert added.status_code == 200
    bob_session = login(site, bob.email)

    for session, sees, never in (
        (ada_session, "Front door honey", None),
        (bob_session, None, "Front door honey"),
    ):
        home = session.get(f"{site.url}/")
        basket = session.get(f"{site.url}/shop/basket/")
        # Neither the page everyone shares nor the basket is served from the cache to a member.
        assert home.headers.get("X-Cache-Status") != "HIT" and basket.headers.get("X-Cache-Status") != "HIT"
        if sees:
            assert sees in basket.text
        if never:
            # Only the basket: the home page lists the newest products (the producers' picks) to everyone.
            assert never not in basket.text
    # And what members saw was never stored for the anonymous reader. The new product's purge may
    # still be refreshing the home page (EXPIRED while it does): the page the door then holds counts.
    page = wait_until(
        lambda: (answer := anonymous.get(f"{site.url}/")).headers["X-Cache-Status"] == "HIT" and answer,
        5,
        "the anonymous home page served from the door",
        site,
    )
    assert "Ada" not in page.text and "Bob" not in page.text


def test_front_door_fake_remote_follows_the_blog_and_a_publish_reaches_it(site):
    with FakeRemote() as remote:
        follow = remote.activity("Follow", f"{site.url}/ap/users/blog")
        assert remote.send(f"{site.url}/ap/users/blog/inbox", follow).status_code == 202
        # 90 s, as the other real-worker tests: under the whole suite the stack's worker can start late.
        try:
            remote.wait_for(lambda a: a["type"] == "Accept", timeout=90)
        except AssertionError as failure:  # what the stack's worker and web said, to see why
            raise AssertionError(f"{failure}\n{site.logs()}") from failure
        publish(blog_post(title="Through the front door", summary="Federated over HTTPS."))
        create = remote.wait_for(
            lambda a: a["type"] == "Create" and a["object"].get("name") == "Through the front door",
            timeout=90,
        )
        assert create["activity"]["object"]["url"].startswith(site.url)
        assert not remote.rejected


AP = {"Accept": 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"'}


def test_front_door_keeps_activitypub_documents_apart_from_the_page_at_the_same_url(site):
    from social.federation.models import FederatedObject

    post = publish(blog_post(title="Negotiated at the door", summary="Two documents, one URL."))
    built = FederatedObject.objects.filter(page_id=post.pk)
    obj = wait_until(lambda: built.first(), 60.0, "the object built by the stack's worker", site)
    server, reader = site.session(), site.session()
    first, second = server.get(obj.data["id"], headers=AP), server.get(obj.data["id"], headers=AP)
    # A burst of servers fetching a new post costs the app one render.
    assert second.headers["X-Cache-Status"] == "HIT", (second.status_code, second.headers)
    assert second.json()["name"] == first.json()["name"] == "Negotiated at the door"
    assert second.headers["Content-Type"].startswith("application/activity+json")
    # A reader at the same URL is sent to the page; never the cached JSON.
    page = reader.get(obj.data["id"], headers={"Accept": "text/html"}, allow_redirects=False)
    assert page.status_code == 302 and page.headers.get("X-Cache-Status") != "HIT"
    # The actor too; another JSON client (not ActivityPub) is never answered from the cache.
    actor = f"{site.url}/ap/users/blog"
    server.get(actor, headers=AP)
    assert server.get(actor, headers=AP).headers["X-Cache-Status"] == "HIT"
    other = [server.get(actor, headers={"Accept": "application/json"}) for _ in range(2)]
    assert other[1].headers.get("X-Cache-Status") != "HIT"
    # And what a member gets is not stored: its cookie skips the cache both ways.
    member_session = site.session()
    member_session.cookies.set("sessionid", "whatever", domain="127.0.0.1")
    assert member_session.get(actor, headers=AP).headers.get("X-Cache-Status") != "HIT"
