"""One outbound pipeline: a blog post and a hub action each go from their flow through federation's one
transport to a remote inbox (a recording receiver of ours on 127.0.0.1), as one activity row."""

import pytest

from social.federation.actors import local_actor_get
from social.federation.models import Activity, Delivery, FederatedObject, RemoteActor
from social.hub import reactions
from social.hub.models import TimelineItem
from social.models import Flow
from tests.factories.social import blog_post, publish

pytestmark = pytest.mark.django_db


def test_blog_post_publish_reaches_remote_inbox_as_one_activity(
    django_capture_on_commit_callbacks, recording_remote
):
    post = blog_post(title="Apple day")
    with django_capture_on_commit_callbacks(execute=True):
        publish(post)
    flow = Flow.objects.get(object_key=f"page:{post.pk}")
    assert flow.status == "succeeded", flow.steps.exclude(status="done").values_list("error", flat=True)
    record = flow.effects.get(kind="record_activity").result["receipt"]
    schedule = flow.effects.get(kind="schedule_delivery").result["receipt"]
    assert (record["transport"], schedule["deliveries_scheduled"]) == ("activitypub", 1)
    activity = Activity.objects.get()  # the one activity row, built from the page's payload
    assert (activity.flow_id, activity.object.object_key) == (flow.pk, f"page:{post.pk}")
    obj = FederatedObject.objects.get()  # decided in the publish transaction, built by the transport
    assert (obj.state, obj.actor.username, obj.page_id) == ("live", "blog", post.pk)
    received = recording_remote.wait_for(lambda a: a["type"] == "Create")
    assert received["activity"] == activity.data and received["activity"]["object"]["name"] == "Apple day"
    assert Delivery.objects.get(activity=activity).state == "delivered"


def test_hub_like_goes_out_as_built_without_an_object(django_capture_on_commit_callbacks, recording_remote):
    alice = RemoteActor.objects.get(uri=recording_remote.actor_uri("alice"))
    item = TimelineItem.objects.create(
        uri=f"{recording_remote.base}/notes/1", object_uri=f"{recording_remote.base}/notes/1", author=alice
    )
    with django_capture_on_commit_callbacks(execute=True):
        reaction = reactions.reaction_add(item=item, local_actor=local_actor_get("blog"), kind="like")
    flow = Flow.objects.get(object_key=f"hub:like:{item.pk}")
    assert (flow.behavior, flow.status) == ("hub_send", "succeeded")
    activity = Activity.objects.get()
    assert activity.object is None and activity.data == flow.payload["activity"]  # sent as the hub built it
    received = recording_remote.wait_for(lambda a: a["type"] == "Like")
    assert received["activity"]["id"] == reaction.activity_uri  # to the author it likes
    assert received["path"] == "/users/alice/inbox"
    assert not FederatedObject.all_objects.exists()  # a hub action never touches the page objects
