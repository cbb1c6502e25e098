"""The read API federation uses for outbox backfill, over the activity log."""

import pytest

from social.selectors import activities_for_outbox, object_latest_activities
from tests.factories.social import blog_post, publish

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def activity_log_transport(settings):
    settings.SOCIAL_TRANSPORT = "social.transport_log.ActivityLogTransport"


def test_activities_for_outbox_oldest_first_with_payloads(django_capture_on_commit_callbacks):
    post = blog_post(title="Outbox post")
    with django_capture_on_commit_callbacks(execute=True):
        publish(post)
    post.title = "Outbox post, edited"
    with django_capture_on_commit_callbacks(execute=True):
        publish(post)
    with django_capture_on_commit_callbacks(execute=True):
        post.unpublish()
    rows = list(activities_for_outbox())
    assert [(row.activity_type, row.object_key) for row in rows] == [
        ("Create", f"page:{post.pk}"),
        ("Update", f"page:{post.pk}"),
        ("Delete", f"page:{post.pk}"),
    ]
    assert rows[1].payload["title"] == "Outbox post, edited" and rows[2].object_type == "Tombstone"
    assert list(activities_for_outbox(since=rows[0].created_at, types=("Delete",))) == [rows[2]]
    assert object_latest_activities()[f"page:{post.pk}"]["activity_type"] == "Delete"


def test_deleting_blog_index_deletes_each_live_post(django_capture_on_commit_callbacks):
    live, draft = blog_post(title="Live"), blog_post(title="Draft")
    with django_capture_on_commit_callbacks(execute=True):
        publish(live)
    index = live.get_parent()
    with django_capture_on_commit_callbacks(execute=True):
        index.delete()
    deletes = list(activities_for_outbox(types=("Delete",)))
    assert [row.object_key for row in deletes] == [f"page:{live.pk}"]
    assert draft.pk != live.pk
