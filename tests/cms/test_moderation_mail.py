"""Wagtail's moderation emails leave after the workflow's move commits, and its admin password reset
is off (the site's own mails after commit)."""

import pytest
from django.core import mail
from django.db import transaction
from wagtail.models import GroupApprovalTask, Workflow, WorkflowPage, WorkflowTask

from accounts.models import User
from tests.factories.cms import blog_index_ensure, blog_post
from tests.security.outbound_guard import outbound_guard_fixture  # noqa: F401

from .test_publishing import moderators_group


def _moderated_post():
    blog_index = blog_index_ensure()
    moderators = moderators_group(blog_index)
    moderator = User.objects.create_user(email="mod@example.org", password="pw-123456789")
    moderator.groups.add(moderators)
    editor = User.objects.create_user(email="ed@example.org", password="pw-123456789")
    task = GroupApprovalTask.objects.create(name="Moderator approval")
    task.groups.set([moderators])
    workflow = Workflow.objects.create(name="Blog review")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.update_or_create(page=blog_index, defaults={"workflow": workflow})
    return workflow, blog_post(blog_index, publish=False, slug="moderated", user=editor), editor


@pytest.mark.django_db(transaction=True)
def test_submission_mails_moderators_after_commit(outbound_guard):
    workflow, post, editor = _moderated_post()
    workflow.start(post, editor)
    assert "mod@example.org" in [call.target for call in outbound_guard.of("mail")]
    outbound_guard.assert_clean("mail")


@pytest.mark.django_db
def test_submission_rolled_back_mails_nobody(django_capture_on_commit_callbacks):
    workflow, post, editor = _moderated_post()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        workflow.start(post, editor)
        raise RuntimeError("the submission fails later in its transaction")
    assert mail.outbox == []


@pytest.mark.django_db
def test_wagtail_admin_password_reset_is_off(client):
    User.objects.create_user(email="ed@example.org", password="pw-123456789")
    response = client.post("/admin/password_reset/", {"email": "ed@example.org"})
    assert response.status_code == 404
    assert mail.outbox == []
