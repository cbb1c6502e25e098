"""The federation and hub admin screens read like a product: post titles and rendered replies instead
of addresses and markup, read-only logs without "Add", editors moderating replies to their own posts."""

import re

import pytest

from social.federation import ids
from social.federation.models import Comment, Delivery, FederatedObject, InboxItem
from tests.factories import hub as hub_factories
from tests.factories.social import blog_post

pytestmark = pytest.mark.django_db

REPLY = '<p>Lovely <strong>jam</strong>, see <a href="https://remote.example/x">this</a></p><script>alert(1)</script>'


def federated_post(title: str, owner=None) -> FederatedObject:
    page = blog_post(title=title)
    if owner is not None:
        page.owner = owner
        page.save(update_fields=["owner"])
    url = f"https://coop.example/blog/{page.slug}/"
    return FederatedObject.objects.create(
        object_key=f"page:{page.pk}",
        actor=hub_factories.local_actor(),
        url=url,
        # The id our transport gives it: notifications name the post from any of its ids (ids.object_ref).
        data={"id": ids.object_id(f"page:{page.pk}"), "type": "Article", "name": title},
    )


def reply_to(post: FederatedObject, content: str = REPLY) -> Comment:
    remote = hub_factories.remote_actor()
    return Comment.objects.create(
        uri=f"{remote.uri}/statuses/{post.pk}-{Comment.objects.count()}",
        remote_actor=remote,
        object=post,
        content=content,
    )


def test_replies_list_shows_post_title_and_rendered_sanitised_reply(client, superuser):
    post = federated_post("Jam season opens")
    reply_to(post)
    client.force_login(superuser)
    html = client.get("/admin/federation_comments/").content.decode()
    assert re.search(r"<title>\s*Replies to moderate", html)
    assert "Jam season opens" in html
    assert "<strong>jam</strong>" in html  # rendered, not shown as markup
    assert "&lt;p&gt;" not in html and "&lt;strong&gt;" not in html
    assert "<script>alert(1)" not in html and "alert(1)" not in html


@pytest.mark.parametrize(
    "prefix",
    [
        "federation_comments",
        "federation_deliveries",
        "federation_inbox",
        "federation_followers",
        "federation_hosts",
    ],
)
def test_read_only_lists_have_no_add_button_and_refuse_add_and_edit(client, superuser, prefix):
    client.force_login(superuser)
    listing = client.get(f"/admin/{prefix}/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert f'href="/admin/{prefix}/new/"' not in html
    assert client.get(f"/admin/{prefix}/new/").status_code == 404
    assert client.get(f"/admin/{prefix}/edit/1/").status_code == 404
    assert client.post(f"/admin/{prefix}/edit/1/", {"state": "x"}).status_code == 404


def test_read_only_rows_open_their_inspect_page(client, superuser):
    comment = reply_to(federated_post("Inspect me"))
    item = InboxItem.objects.create(
        activity_uri="https://remote.example/a/1",
        activity_type="Like",
        actor_uri="https://remote.example/u",
        data={},
    )
    client.force_login(superuser)
    assert (
        f'href="/admin/federation_comments/inspect/{comment.pk}/"'
        in client.get("/admin/federation_comments/").content.decode()
    )
    assert client.get(f"/admin/federation_comments/inspect/{comment.pk}/").status_code == 200
    assert client.get(f"/admin/federation_inbox/inspect/{item.pk}/").status_code == 200


def test_editor_sees_and_moderates_replies_to_own_posts_only(client, editor, superuser):
    own = reply_to(federated_post("My own post", owner=editor))
    others = reply_to(federated_post("Someone else's post", owner=superuser))
    client.force_login(editor)

    listing = client.get("/admin/federation_comments/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert "My own post" in html and "Someone else" not in html
    assert f"/admin/federation/action/comment-approve/{own.pk}/" in html

    assert client.post(f"/admin/federation/action/comment-approve/{own.pk}/").status_code == 302
    own.refresh_from_db()
    assert own.status == Comment.Status.APPROVED

    refused = client.post(f"/admin/federation/action/comment-approve/{others.pk}/")
    assert refused.status_code in (302, 403)
    others.refresh_from_db()
    assert others.status == Comment.Status.PENDING
    assert client.get(f"/admin/federation_comments/inspect/{others.pk}/").status_code in (302, 403, 404)


def test_editor_cannot_act_on_deliveries(client, editor):
    client.force_login(editor)
    assert client.get("/admin/federation_deliveries/").status_code == 302  # Wagtail: back to the dashboard
    assert not Delivery.objects.exists()


def test_menu_offers_editors_the_replies_to_moderate(client, editor):
    client.force_login(editor)
    assert "/admin/federation_comments/" in client.get("/admin/").content.decode()


def test_hub_notifications_name_our_post_and_render_the_reply(client, superuser):
    post = federated_post("Wildflower honey is back")
    remote = hub_factories.remote_actor(name="bea")
    hub_factories.notification(kind="like", remote=remote, object_uri=post.data["id"])
    hub_factories.notification(kind="boost", remote=remote, object_uri=post.url)
    item = hub_factories.timeline_item(author=remote, content="<p>So <em>good</em></p>")
    hub_factories.notification(
        kind="reply", remote=remote, object_uri=post.url, item=item, content=item.content
    )
    client.force_login(superuser)
    html = client.get("/admin/hub/notifications/").content.decode()
    assert html.count("Wildflower honey is back") == 3
    assert f">{post.url}<" not in html and f">{post.data['id']}<" not in html
    assert "<em>good</em>" in html and "&lt;p&gt;" not in html


def test_hub_notification_without_item_renders_sanitised_content(client, superuser):
    post = federated_post("Bread club")
    hub_factories.notification(kind="reply", object_uri=post.url, content=REPLY)
    client.force_login(superuser)
    html = client.get("/admin/hub/notifications/").content.decode()
    assert "<strong>jam</strong>" in html and "&lt;p&gt;" not in html and "alert(1)" not in html


def test_oscar_sort_dropdown_absent_from_wagtail_admin_lists(client, superuser, seeded):
    client.force_login(superuser)
    # Wagtail's report and settings lists without a search box of their own showed Oscar's.
    lists = (
        "/admin/reports/locked/",
        "/admin/reports/site-history/",
        "/admin/sites/",
        "/admin/federation_comments/",
    )
    for url in lists:
        html = client.get(url, follow=True).content.decode()
        assert 'name="sort_by"' not in html, url


def test_oscar_catalogue_and_search_keep_their_search_form(client):
    # Oscar's browse and search templates read `search_form` (its query and sort fields) from the
    # context; it is offered there, and no longer to every other template.
    for url in ("/shop/catalogue/", "/shop/search/?q=honey"):
        form = client.get(url).context.get("search_form")
        assert form is not None and "sort_by" in form.fields, url


def test_federated_posts_cannot_be_added_by_hand_but_can_be_pinned(client, superuser):
    post = federated_post("Pin me")
    client.force_login(superuser)
    assert (
        'href="/admin/federation_objects/new/"'
        not in client.get("/admin/federation_objects/").content.decode()
    )
    assert client.get("/admin/federation_objects/new/").status_code == 404
    assert client.get(f"/admin/federation_objects/edit/{post.pk}/").status_code == 200
