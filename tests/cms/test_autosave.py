"""Wagtail 8 autosave against publishing: a stale or in-flight autosave must never take a post offline."""

import re

import pytest
from django.contrib.auth.models import Group, Permission
from wagtail import hooks
from wagtail.models import GroupPagePermission
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from accounts.models import User
from cms.models import BlogPostPage
from tests.factories.cms import blog_post

pytestmark = pytest.mark.django_db

# What Wagtail's autosave controller sends: the edit form, asking for JSON instead of HTML.
AUTOSAVE = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def editor(client, blog_index):
    editors, _ = Group.objects.get_or_create(name="Editors")
    editors.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.get_or_create(
            group=editors, page=blog_index, permission=Permission.objects.get(codename=codename)
        )
    user = User.objects.create_user(email="editor@example.org", password="pw-123456789")
    user.groups.add(editors)
    client.force_login(user)
    return user


@pytest.fixture
def draft(blog_index, editor, author):
    return blog_post(
        blog_index, publish=False, slug="autosaved", title="Autosaved", authors=[author], user=editor
    )


def edit_form_state(client, page, body: str, **extra) -> dict:
    """The edit form as the editor's browser holds it: the loaded revision markers and the fields."""
    html = client.get(f"/admin/pages/{page.pk}/edit/").content.decode()
    loaded = dict(re.findall(r'name="(loaded_revision_id|loaded_revision_created_at)" value="([^"]*)"', html))
    assert loaded["loaded_revision_id"] == str(page.latest_revision_id)
    rows = list(page.post_authors.all())
    return nested_form_data(
        {
            "title": page.title,
            "slug": page.slug,
            "summary": page.summary,
            "hero_image_alt": "",
            "category": page.category_id or "",
            "tags": "",
            # Keep the saved author row: a formset without its id would add a duplicate row.
            "post_authors": inline_formset(
                [{"id": row.pk, "author": row.author_id} for row in rows], initial=len(rows)
            ),
            "body": streamfield([("paragraph", rich_text(f"<p>{body}</p>"))]),
            **loaded,
            **extra,
        }
    )


def publish(client, page) -> None:
    data = edit_form_state(client, page, "Published words.", **{"action-publish": "publish"})
    response = client.post(f"/admin/pages/{page.pk}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response


def assert_still_published(page) -> None:
    page = BlogPostPage.objects.get(pk=page.pk)
    # Compared as one dict so a failure shows every way the post was damaged at once.
    assert {
        "live": page.live,
        "live_revision": page.live_revision_id is not None,
        "latest_is_live": page.latest_revision_id == page.live_revision_id,
        "has_unpublished_changes": page.has_unpublished_changes,
        "draft_shows_published_words": "Published words." in str(page.get_latest_revision_as_object().body),
    } == {
        "live": True,
        "live_revision": True,
        "latest_is_live": True,
        "has_unpublished_changes": False,
        "draft_shows_published_words": True,
    }


def test_autosave_after_publish_with_pre_publish_state_is_refused(client, draft):
    edit_url = f"/admin/pages/{draft.pk}/edit/"
    stale = edit_form_state(client, draft, "Half-typed words.")
    first = client.post(edit_url, stale, **AUTOSAVE)
    assert first.status_code == 200 and first.json()["success"], first.content
    stale["overwrite_revision_id"] = first.json()["revision_id"]

    publish(client, BlogPostPage.objects.get(pk=draft.pk))
    late = client.post(edit_url, stale, **AUTOSAVE)

    assert late.status_code == 400 and late.json()["error_code"] == "invalid_revision"
    assert_still_published(draft)


def test_first_autosave_loaded_before_publish_is_refused(client, draft):
    stale = edit_form_state(client, draft, "Half-typed words.")
    publish(client, BlogPostPage.objects.get(pk=draft.pk))

    late = client.post(f"/admin/pages/{draft.pk}/edit/", stale, **AUTOSAVE)

    assert late.status_code == 400 and late.json()["error_code"] == "invalid_revision"
    assert_still_published(draft)


def test_autosave_in_flight_while_publish_commits_keeps_post_live(client, draft, editor):
    """The autosave request has read the draft page row when the publish request commits.

    Wagtail's own out-of-date check compares against the revision the edit view loaded at the start
    of the request, so it passes, and saving the still-draft form writes the whole page row back with
    live=False. The concurrent publish is played by a `before_edit_page` hook that runs after the
    view has loaded the page (exactly where the real race window opens) and before our guard.
    """
    edit_url = f"/admin/pages/{draft.pk}/edit/"
    stale = edit_form_state(client, draft, "Half-typed words.")
    first = client.post(edit_url, stale, **AUTOSAVE)
    stale["overwrite_revision_id"] = first.json()["revision_id"]

    def publish_meanwhile(request, page):
        if request.method == "POST":
            current = BlogPostPage.objects.get(pk=page.pk)
            current.body = [{"type": "paragraph", "value": "<p>Published words.</p>"}]
            current.save_revision(user=editor).publish(user=editor)

    with hooks.register_temporarily("before_edit_page", publish_meanwhile, order=-100):
        late = client.post(edit_url, stale, **AUTOSAVE)

    assert_still_published(draft)
    assert late.status_code == 400 and late.json()["error_code"] == "invalid_revision"
