"""Editors' workflow: admin creation, drafts, revisions, preview, scheduled publishing, moderation."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, Permission
from django.utils import timezone
from wagtail.models import (
    GroupApprovalTask,
    GroupPagePermission,
    Workflow,
    WorkflowPage,
    WorkflowState,
    WorkflowTask,
)
from wagtail.test.utils.form_data import inline_formset, nested_form_data, rich_text, streamfield

from accounts.models import User
from cms.models import BlogPostPage
from cms.tasks import publish_scheduled
from tests.factories.cms import blog_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, db):
    admin = User.objects.create_superuser(email="boss@example.org", password="pw-123456789")
    client.force_login(admin)
    return client


def test_admin_add_blog_post_form_publishes(admin_client, blog_index, author, urgent_category):
    data = nested_form_data(
        {
            "title": "Made in the admin",
            "slug": "made-in-the-admin",
            "summary": "Through Wagtail's own form.",
            "hero_image_alt": "",
            "category": urgent_category.pk,
            "tags": "admin, forms",
            "post_authors": inline_formset([{"author": author.pk}]),
            "body": streamfield([("paragraph", rich_text("<p>Hello from the editor.</p>"))]),
            "action-publish": "publish",
        }
    )
    response = admin_client.post(f"/admin/pages/add/cms/blogpostpage/{blog_index.pk}/", data)
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    post = BlogPostPage.objects.get(slug="made-in-the-admin")
    assert post.live and [a.slug for a in post.authors] == ["ada"]
    assert sorted(t.name for t in post.tags.all()) == ["admin", "forms"]
    assert "Hello from the editor." in admin_client.get("/blog/made-in-the-admin/").content.decode()


def test_admin_add_blog_post_under_home_is_refused(admin_client, blog_index):
    home = blog_index.get_parent()
    response = admin_client.get(f"/admin/pages/add/cms/blogpostpage/{home.pk}/")
    assert response.status_code != 200 and not BlogPostPage.objects.child_of(home).exists()


def test_draft_post_is_not_served(client, blog_index):
    post = blog_post(blog_index, publish=False, slug="draft-post")
    assert not post.live and post.revisions.count() == 1
    assert client.get("/blog/draft-post/").status_code == 404


def test_new_revision_stays_unpublished_until_published(client, blog_index):
    post = blog_post(blog_index, title="Original title", slug="revised")
    post.title = "Changed title"
    post.save_revision()
    post.refresh_from_db()
    assert post.has_unpublished_changes
    assert "Original title" in client.get("/blog/revised/").content.decode()
    post.get_latest_revision().publish()
    html = client.get("/blog/revised/").content.decode()
    assert "Changed title" in html and "Original title" not in html
    assert post.revisions.count() == 2


def test_preview_of_draft_revision_shows_unpublished_changes(blog_index):
    post = blog_post(blog_index, title="Live title", slug="previewed")
    post.title = "Preview title"
    revision = post.save_revision()
    response = revision.as_object().make_preview_request()
    assert response.status_code == 200
    assert "Preview title" in response.rendered_content


def test_admin_preview_endpoint_renders_post(admin_client, blog_index):
    post = blog_post(blog_index, title="Admin preview", slug="admin-preview")
    response = admin_client.get(f"/admin/pages/{post.pk}/revisions/{post.latest_revision_id}/view/")
    assert response.status_code == 200 and "Admin preview" in response.content.decode()


def test_scheduled_post_goes_live_when_beat_task_runs(client, blog_index):
    post = blog_post(blog_index, publish=False, slug="scheduled")
    post.go_live_at = timezone.now() + timedelta(seconds=2)
    revision = post.save_revision()
    revision.publish()
    post.refresh_from_db()
    assert not post.live and revision.approved_go_live_at is not None
    publish_scheduled.delay()
    assert not BlogPostPage.objects.get(pk=post.pk).live  # not yet due
    time.sleep(max(0, (post.go_live_at - timezone.now()).total_seconds()) + 0.1)
    publish_scheduled.delay()
    assert BlogPostPage.objects.get(pk=post.pk).live
    assert client.get("/blog/scheduled/").status_code == 200


def test_beat_schedule_runs_publish_scheduled(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["cms-publish-scheduled"]
    assert entry["task"] == publish_scheduled.name and entry["schedule"] <= 60


def moderators_group(blog_index) -> Group:
    moderators, _ = Group.objects.get_or_create(name="Moderators")
    for codename in ("change_page", "publish_page"):
        GroupPagePermission.objects.get_or_create(
            group=moderators, page=blog_index, permission=Permission.objects.get(codename=codename)
        )
    return moderators


def test_moderation_workflow_approval_publishes(blog_index):
    moderators = moderators_group(blog_index)
    moderator = User.objects.create_user(email="mod@example.org", password="pw-123456789")
    moderator.groups.add(moderators)
    editor = User.objects.create_user(email="ed@example.org", password="pw-123456789")
    task = GroupApprovalTask.objects.create(name="Moderator approval")
    task.groups.set([moderators])
    workflow = Workflow.objects.create(name="Blog review")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=blog_index, defaults={"workflow": workflow})

    post = blog_post(blog_index, publish=False, slug="moderated", user=editor)
    assert post.get_workflow() == workflow
    state = workflow.start(post, editor)
    assert state.status == WorkflowState.STATUS_IN_PROGRESS
    assert not BlogPostPage.objects.get(pk=post.pk).live
    assert task.specific.user_can_access_editor(post, moderator)
    assert not task.specific.user_can_access_editor(post, editor)
    state.current_task_state.approve(user=moderator)
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_APPROVED
    assert BlogPostPage.objects.get(pk=post.pk).live


def test_moderation_workflow_rejection_keeps_draft(blog_index):
    moderators = moderators_group(blog_index)
    moderator = User.objects.create_user(email="mod@example.org", password="pw-123456789")
    task = GroupApprovalTask.objects.create(name="Moderator approval")
    task.groups.set([moderators])
    workflow = Workflow.objects.create(name="Blog review")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=blog_index, defaults={"workflow": workflow})
    post = blog_post(blog_index, publish=False, slug="rejected")
    state = workflow.start(post, moderator)
    state.current_task_state.reject(user=moderator)
    state.refresh_from_db()
    assert state.status == WorkflowState.STATUS_NEEDS_CHANGES
    assert not BlogPostPage.objects.get(pk=post.pk).live
