"""Publishing through the project's configured transport (whatever SOCIAL_TRANSPORT names)."""

import pytest
from django.conf import settings

from social.models import Flow
from tests.factories.social import blog_post, publish

pytestmark = pytest.mark.django_db


def test_configured_transport_receipt_recorded_in_flow_log(django_capture_on_commit_callbacks):
    post = blog_post()
    with django_capture_on_commit_callbacks(execute=True):
        publish(post)
    flow = Flow.objects.get(object_key=f"page:{post.pk}")
    deliver = flow.steps.get(name="deliver")
    assert flow.status == "succeeded", (settings.SOCIAL_TRANSPORT, deliver.error)
    receipt = flow.effects.get(kind="schedule_delivery").result["receipt"]
    assert receipt["transport"] and "deliveries_scheduled" in receipt
