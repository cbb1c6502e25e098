"""Transition detection: which behavior each Wagtail page event starts (against cms.BlogPostPage)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from wagtail.models import GroupApprovalTask, PageViewRestriction, Workflow, WorkflowPage, WorkflowTask

from social.federation.models import Activity, FederatedObject
from social.models import Flow, StaffNotification
from tests.factories.social import blog_post, publish

pytestmark = pytest.mark.django_db


def object_state(post) -> str:
    return FederatedObject.all_objects.get(object_key=f"page:{post.pk}").state


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (the runner) as a real commit would, inside the test transaction."""

    def publish_and_run(action, *args):
        with django_capture_on_commit_callbacks(execute=True):
            return action(*args)

    return publish_and_run


def flows(post):
    return list(Flow.objects.filter(object_key=f"page:{post.pk}").order_by("id"))


def test_first_publish_runs_publish_flow_and_sends_create(run_on_commit, recording_remote):
    post = blog_post()
    run_on_commit(publish, post)
    [flow] = flows(post)
    assert (flow.behavior, flow.event, flow.status) == ("publish", "published", "succeeded")
    assert flow.path == ["validate", "compose", "route", "deliver"]
    activity = Activity.objects.get(flow_id=flow.pk)
    article = activity.data["object"]
    assert (activity.activity_type, article["type"], activity.actor.username) == ("Create", "Article", "blog")
    assert article["name"] == "Harvest report" and object_state(post) == "live"
    received = recording_remote.wait_for(lambda a: a["type"] == "Create")
    assert received["activity"]["id"] == activity.data["id"]


def test_republish_runs_update_flow(run_on_commit):
    post = blog_post()
    run_on_commit(publish, post)
    post.title = "Harvest report (revised)"
    run_on_commit(publish, post)
    first, second = flows(post)
    assert (first.behavior, second.behavior, second.event) == ("publish", "update", "republished")
    assert Activity.objects.get(flow_id=second.pk).data["object"]["name"] == "Harvest report (revised)"
    sent = Activity.objects.order_by("created", "id").values_list("activity_type", flat=True)
    assert list(sent) == ["Create", "Update"]


def test_unpublish_runs_delete_flow_and_next_publish_is_create(run_on_commit):
    post = blog_post()
    run_on_commit(publish, post)
    run_on_commit(post.unpublish)
    run_on_commit(publish, post)
    assert [flow.behavior for flow in flows(post)] == ["publish", "delete", "publish"]
    tombstone = Activity.objects.get(activity_type="Delete").data["object"]
    assert tombstone["type"] == "Tombstone" and "content" not in tombstone and "name" not in tombstone


def test_unpublish_of_never_federated_page_starts_nothing(run_on_commit):
    post = blog_post()
    run_on_commit(post.save_revision)
    run_on_commit(post.unpublish)
    assert flows(post) == []


def test_delete_live_page_runs_delete_flow(run_on_commit):
    post = blog_post()
    run_on_commit(publish, post)
    key = f"page:{post.pk}"
    run_on_commit(post.delete)
    assert [flow.behavior for flow in Flow.objects.filter(object_key=key)] == ["delete", "publish"]
    assert Flow.objects.get(object_key=key, behavior="delete").status == "succeeded"


def test_scheduled_publish_by_publish_scheduled_runs_publish_flow(run_on_commit):
    post = blog_post()
    post.go_live_at = timezone.now() + timedelta(hours=1)
    revision = post.save_revision()
    revision.publish()  # scheduled: nothing is live yet, so nothing federates
    assert flows(post) == []
    # Let the hour pass: both the approved time and the go-live time in the revision are now past.
    past = timezone.now() - timedelta(minutes=1)
    revision.refresh_from_db()
    revision.approved_go_live_at = past
    revision.content["go_live_at"] = past.isoformat()
    revision.save(update_fields=["approved_go_live_at", "content"])
    run_on_commit(call_command, "publish_scheduled")
    [flow] = flows(post)
    assert (flow.behavior, flow.status) == ("publish", "succeeded")


def test_publish_from_moderation_workflow_runs_publish_flow(run_on_commit, django_user_model):
    moderators = Group.objects.create(name="Flow moderators")
    moderator = django_user_model.objects.create_superuser(email="mod@example.org", password="x")
    moderator.groups.add(moderators)
    task = GroupApprovalTask.objects.create(name="Moderator approval")
    task.groups.set([moderators])
    workflow = Workflow.objects.create(name="Moderated blog")
    WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    post = blog_post()
    WorkflowPage.objects.update_or_create(page=post.get_parent(), defaults={"workflow": workflow})
    # Submitted by an editor who cannot approve (Wagtail auto-approves a moderator's own submission).
    editor = django_user_model.objects.create_user(email="writer@example.org", password="x")
    post.save_revision(user=editor)
    state = workflow.start(post, editor)
    assert flows(post) == []  # submitted for moderation: not published yet
    task_state = state.current_task_state
    run_on_commit(task_state.task.specific.on_action, task_state, moderator, "approve")
    post.refresh_from_db()
    assert post.live
    [flow] = flows(post)
    assert (flow.behavior, flow.status) == ("publish", "succeeded")


def test_urgent_category_notifies_staff_in_admin_and_by_email(run_on_commit, django_user_model):
    staff = django_user_model.objects.create_user(email="staff@example.org", password="x")
    staff.is_staff = True
    staff.save()
    django_user_model.objects.create_user(email="member@example.org", password="x")
    post = blog_post(title="Flood warning", urgent=True)
    run_on_commit(publish, post)
    [flow] = flows(post)
    assert flow.path == ["validate", "compose", "route", "notify", "deliver"]
    notification = StaffNotification.objects.get(flow=flow)
    assert notification.level == "urgent" and "Flood warning" in notification.subject
    assert notification.emailed_at is not None
    [email] = mail.outbox
    assert email.to == ["staff@example.org"] and "Flood warning" in email.subject


def test_normal_category_does_not_notify(run_on_commit):
    post = blog_post(urgent=False)
    run_on_commit(publish, post)
    assert not StaffNotification.objects.exists() and mail.outbox == []


def test_private_post_refused_with_reason_and_next_public_publish_is_create(run_on_commit):
    post = blog_post()
    PageViewRestriction.objects.create(page=post, restriction_type=PageViewRestriction.LOGIN)
    run_on_commit(publish, post)
    [refused] = flows(post)
    assert refused.status == "refused" and refused.path == ["validate", "forget"]
    assert "marked private" in refused.steps.get(name="validate").note
    assert not Activity.objects.exists()
    assert object_state(post) == "none" and not FederatedObject.objects.exists()  # nothing built
    PageViewRestriction.objects.filter(page=post).delete()
    run_on_commit(publish, post)
    assert flows(post)[-1].behavior == "publish" and flows(post)[-1].status == "succeeded"


def test_live_post_made_private_runs_delete(run_on_commit):
    post = blog_post()
    run_on_commit(publish, post)
    PageViewRestriction.objects.create(page=post, restriction_type=PageViewRestriction.LOGIN)
    run_on_commit(publish, post)
    assert [(f.behavior, f.event) for f in flows(post)] == [
        ("publish", "published"),
        ("delete", "made private"),
    ]


def test_publish_rolled_back_leaves_no_flow():
    post = blog_post()
    with pytest.raises(RuntimeError), transaction.atomic():
        publish(post)
        assert len(flows(post)) == 1  # written in the publish transaction...
        raise RuntimeError("the publish request failed")
    assert flows(post) == []  # ...so it rolls back with it
    assert not FederatedObject.all_objects.filter(state="live").exists()


def test_flow_written_pending_before_commit(django_capture_on_commit_callbacks):
    post = blog_post()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish(post)
    [flow] = flows(post)
    assert (flow.status, flow.cursor) == ("pending", "validate")
    for callback in callbacks:
        callback()
    flow.refresh_from_db()
    assert flow.status == "succeeded"


def test_publish_transaction_stores_revision_and_runner_reads_that_revision(
    django_capture_on_commit_callbacks,
):
    post = blog_post(title="As published")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish(post)
    [flow] = flows(post)
    # The outbox row names the published revision; the payload is the runner's work, not the editor's.
    assert (flow.revision_id, flow.payload) == (post.live_revision_id, {})
    post.title = "A later draft"
    post.save_revision()  # not published: the flow must still federate what was published
    for callback in callbacks:
        callback()
    flow.refresh_from_db()
    assert flow.status == "succeeded" and flow.payload["title"] == "As published"
    assert flow.payload["updated"] == post.last_published_at.isoformat()
    assert Activity.objects.get(flow_id=flow.pk).data["object"]["name"] == "As published"


def test_publish_transaction_flow_share_is_a_few_queries(django_assert_max_num_queries):
    from social import services

    post = blog_post()
    revision = post.save_revision()
    post.live, post.live_revision = True, revision
    # The view-restriction check, the federation state row (inserted if missing and locked, one
    # statement), the Flow row and the state change: no body rendering, rendition, tags or authors.
    with transaction.atomic(), django_assert_max_num_queries(4):
        flow = services.page_event_handle(post, "published", revision_id=revision.pk)
    assert flow.revision_id == revision.pk and flow.payload == {}


def test_page_deleted_before_its_publish_flow_ran_is_refused_with_reason(
    django_capture_on_commit_callbacks,
):
    post = blog_post()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        publish(post)
    [flow] = flows(post)
    with django_capture_on_commit_callbacks(execute=True):
        post.delete()  # its revisions go with it
    for callback in callbacks:
        callback()
    flow.refresh_from_db()
    assert flow.status == "refused" and flow.path == ["validate", "forget"]
    assert "no longer exists" in flow.steps.get(name="validate").note
    assert not Activity.objects.filter(flow_id=flow.pk).exists()


def test_deleting_blog_index_deletes_each_live_post(run_on_commit):
    live, draft = blog_post(title="Live"), blog_post(title="Draft")
    run_on_commit(publish, live)
    run_on_commit(live.get_parent().delete)
    deletes = Activity.objects.filter(activity_type="Delete")
    assert [activity.object.object_key for activity in deletes] == [f"page:{live.pk}"]
    assert draft.pk != live.pk
