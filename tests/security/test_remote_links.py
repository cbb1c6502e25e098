"""Links from remote content: only http(s) URLs are ever rendered as href/src, whatever a server sent.

Rows are written as the worst case (stored before the storage rules tightened, or by a path that forgot
them), so these prove the render-time filter; the inbox tests prove the storage-time one.
"""

import json
import re

import pytest
from django.contrib.auth.models import Permission

from edge.sanitise import first_url, html_sanitise, url_safe
from social.federation.actors import local_actor_get
from social.federation.models import Comment, FederatedObject, RemoteActor
from social.federation.signatures import CAVAGE, request_sign
from social.hub.content import MentionRef, note_html
from social.hub.inbound import activity_handle
from social.hub.models import TimelineItem
from tests.factories import hub as hub_factories
from tests.factories.cms import blog_post
from tests.social.federation.fake_remote import FakeRemote

pytestmark = pytest.mark.django_db

BAD_URLS = [
    "javascript:alert(document.cookie)",
    " JaVaScRiPt:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
    "vbscript:msgbox(1)",
    "//evil.example/x",
    "/admin/",
]
_ATTRIBUTE = re.compile(r"""\s(?:href|src)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def _urls_in(html: str) -> list[str]:
    return [
        next(group for group in match.groups() if group is not None) for match in _ATTRIBUTE.finditer(html)
    ]


def _section(html: str, start: str, end: str) -> str:
    begin = html.index(start)
    return html[begin : html.index(end, begin)]


def _assert_only_http_links(html: str) -> None:
    urls = _urls_in(html)
    assert urls, "expected some links to check"
    for url in urls:
        assert url.startswith(("http://", "https://")), f"unsafe link rendered: {url!r}"


@pytest.mark.parametrize("url", BAD_URLS)
def test_url_safe_refuses_non_http_urls(url):
    assert url_safe(url) == ""
    assert first_url([{"href": url}, url]) == ""


def test_url_safe_keeps_http_urls():
    assert url_safe("https://remote.example/@ana") == "https://remote.example/@ana"
    assert (
        first_url([{"href": "javascript:x"}, {"href": "https://remote.example/n/1"}])
        == "https://remote.example/n/1"
    )


@pytest.mark.parametrize("url", BAD_URLS)
def test_html_sanitise_drops_non_http_links_and_images(url):
    cleaned = html_sanitise(f'<p><a href="{url}">x</a><img src="{url}"></p>')
    assert "href" not in cleaned and "src" not in cleaned
    assert ">x</a>" in cleaned


@pytest.mark.parametrize("url", BAD_URLS[:5])
def test_post_page_remote_reply_with_script_urls_shows_no_such_link(client, url):
    post = blog_post()
    blog = local_actor_get("blog")
    # The live post's row exists already (its federation state, written when it was published).
    obj, _ = FederatedObject.all_objects.update_or_create(
        object_key=f"page:{post.pk}", defaults={"actor": blog, "url": post.full_url, "data": {}}
    )
    remote = RemoteActor.objects.create(
        uri="https://remote.example/users/mallory", domain="remote.example", username="mallory", url=url
    )
    Comment.objects.create(
        uri="https://remote.example/notes/1",
        remote_actor=remote,
        object=obj,
        url=url,
        content=f'<p>Nice <a href="{url}">post</a><img src="{url}"></p>',
        status=Comment.Status.APPROVED,
    )
    html = client.get(post.url).content.decode()
    reactions = _section(html, '<section class="post-reactions"', "</section>")
    assert "mallory" in reactions and "Nice" in reactions
    _assert_only_http_links(reactions)  # the author falls back to the actor's https id; the date is no link


@pytest.fixture
def hub_client(client, django_user_model):
    user = django_user_model.objects.create_user(email="ed@example.org", password="x")
    for codename in ("access_admin", "use_hub"):
        user.user_permissions.add(Permission.objects.get(codename=codename))
    client.force_login(user)
    return client


@pytest.mark.parametrize("url", BAD_URLS[:5])
def test_hub_timeline_item_with_script_urls_shows_no_such_link(hub_client, url):
    author = hub_factories.remote_actor(name="mallory")
    item = hub_factories.timeline_item(author=author, content=f'<p>Look <a href="{url}">here</a></p>')
    TimelineItem.objects.filter(pk=item.pk).update(
        url=url,
        attachments=[
            {"url": url, "alt": "picture", "media_type": "image/png"},
            {"url": url, "alt": "file", "media_type": "application/pdf"},
        ],
    )
    html = hub_client.get("/admin/hub/").content.decode()
    item = _section(html, '<article class="hub-item"', "</article>")
    assert "Look" in item
    for found in _urls_in(item):
        assert not found.lower().lstrip().startswith(("javascript", "data:", "vbscript", "java")), found


@pytest.mark.parametrize("url", BAD_URLS[:5])
def test_hub_following_and_notifications_with_script_urls_show_no_such_link(hub_client, url):
    remote = hub_factories.remote_actor(name="mallory")
    RemoteActor.objects.filter(pk=remote.pk).update(url=url)
    hub_factories.following(remote=remote)
    hub_factories.notification(remote=remote, object_uri=url)
    for path in ("/admin/hub/following/", "/admin/hub/notifications/"):
        html = hub_client.get(path).content.decode()
        assert "mallory" in html.lower()
        for found in _urls_in(html):
            assert not found.lower().lstrip().startswith(("javascript", "data:", "vbscript", "java")), found


def _inbox_post(client, settings, remote: FakeRemote, activity: dict):
    body = json.dumps(activity).encode()
    path = "/ap/users/blog/inbox"
    headers = request_sign(
        scheme=CAVAGE,
        method="POST",
        url=settings.SITE_URL + path,
        body=body,
        key_id=f"{remote.actor_uri()}#main-key",
        private_key_pem=remote.private_pem,
    )
    headers.pop("Content-Type", None)
    return client.generic("POST", path, body, content_type="application/activity+json", headers=headers)


@pytest.mark.parametrize("url", BAD_URLS[:5])
def test_inbox_reply_and_actor_with_script_urls_stored_without_them(
    client, settings, django_capture_on_commit_callbacks, url
):
    blog = local_actor_get("blog")
    obj = FederatedObject.objects.create(
        object_key="page:77", actor=blog, url=f"{settings.SITE_URL}/blog/p/", data={"id": "x"}
    )
    with FakeRemote() as remote:
        remote.actor_overrides["alice"] = {"url": url, "icon": {"type": "Image", "url": url}}
        note = {
            "id": f"{remote.base}/notes/1",
            "type": "Note",
            "attributedTo": remote.actor_uri(),
            "inReplyTo": obj.url,
            "url": url,
            "content": f'<p><a href="{url}">hi</a></p>',
        }
        with django_capture_on_commit_callbacks(execute=True):
            response = _inbox_post(client, settings, remote, remote.activity("Create", note))
    assert response.status_code == 202
    actor = RemoteActor.objects.get(uri=remote.actor_uri())
    assert actor.url == "" and actor.icon_url == ""
    comment = Comment.objects.get(uri=note["id"])
    assert comment.url in ("", note["id"])
    assert "href" not in comment.content


@pytest.mark.parametrize("url", BAD_URLS)
def test_hub_inbound_note_with_script_urls_stored_without_them(url):
    follow = hub_factories.following()
    activity = hub_factories.note_activity(
        follow.remote_actor,
        f'<p><a href="{url}">hi</a></p>',
        url=url,
        attachment=[{"type": "Image", "url": url, "mediaType": "image/png", "name": "pic"}],
    )
    assert activity_handle(activity, follow.remote_actor) == "timeline"
    item = TimelineItem.objects.get()
    assert item.url == activity["object"]["id"]
    assert "href" not in item.content
    assert all(attachment["url"].startswith("https://") for attachment in item.attachments)


@pytest.mark.parametrize("url", BAD_URLS[:5])
def test_typed_note_mention_of_actor_with_script_profile_url_not_linked(url):
    ref = MentionRef(handle="ana@remote.example", uri=url, url=url)
    html = note_html("hello @ana@remote.example", {"ana@remote.example": ref}, "https://site/tags/{tag}")
    assert "@ana@remote.example" in html
    assert "href" not in html
