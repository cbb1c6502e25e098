"""The hub's demo seeder: editors get the hub, a demo account has posted; running it twice changes nothing."""

import pytest
from django.contrib.auth.models import Group

from social.hub import demo
from social.hub.models import Following, Notification, TimelineItem

pytestmark = pytest.mark.django_db


def test_seed_twice_idempotent_and_editors_may_use_hub():
    demo.seed()
    demo.seed()
    assert Group.objects.get(name="Editors").permissions.filter(codename="use_hub").exists()
    assert Following.objects.count() == 1
    assert TimelineItem.objects.count() == len(demo.DEMO_POSTS)
    assert Notification.objects.count() == 1
