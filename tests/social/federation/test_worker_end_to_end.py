"""The real publish path with a real Celery worker: a fake remote follows the blog, then an editor
publishes, re-publishes and unpublishes a post; the worker runs the behavior flow and our deliveries."""

import os

import pytest
from django.core.management import call_command

from social.federation.models import Delivery, Follow
from tests.factories.social import blog_post, publish
from tests.workers import Worker, celery_on_broker, own_redis_url

from .fake_remote import FakeRemote

# Its own Redis database, as the other worker tests have theirs: runs with or without REDIS_URL.
BROKER = os.environ.get("FEDERATION_TEST_BROKER_URL") or own_redis_url(4)


@pytest.fixture
def worker(live_server, settings, tmp_path):
    """A Celery worker process against the test database and the broker, with SITE_URL = the live server."""
    settings.SITE_URL = live_server.url
    settings.SITE_HOST = live_server.url.split("//")[1]
    settings.SOCIAL_FLOW_RUNNER = "social.runners.CeleryRunner"
    with celery_on_broker(BROKER) as app:
        call_command("seed_demo", verbosity=0)
        app.control.purge()  # the demo posts' own flows are not what this test is about
        process = Worker(
            f"fed-e2e-{os.getpid()}",
            tmp_path / "worker.log",
            BROKER,
            "config.settings.test",
            SITE_URL=live_server.url,
        )
        try:
            yield process
        finally:
            process.kill()


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_publish_republish_unpublish_reach_remote_through_real_worker(worker, settings):
    site = settings.SITE_URL
    with FakeRemote() as remote:
        follow = remote.activity("Follow", f"{site}/ap/users/blog")
        assert remote.send(f"{site}/ap/users/blog/inbox", follow).status_code == 202
        remote.wait_for(lambda a: a["type"] == "Accept", timeout=90)  # processed and sent by the worker
        assert Follow.objects.get(remote_actor__uri=remote.actor_uri()).state == "accepted"

        post = blog_post(title="Worker harvest", summary="Delivered by a real worker.")
        publish(post)
        # (the demo posts seeded before may arrive too: pick ours out)
        create = remote.wait_for(
            lambda a: a["type"] == "Create" and a["object"].get("name") == "Worker harvest", timeout=90
        )
        article = create["activity"]["object"]
        assert article["name"] == "Worker harvest"
        assert article["url"].startswith(site)

        post.title = "Worker harvest, revised"
        publish(post)
        update = remote.wait_for(
            lambda a: a["type"] == "Update" and a["object"]["id"] == article["id"], timeout=90
        )
        assert update["activity"]["object"]["name"] == "Worker harvest, revised"

        post.unpublish()
        delete = remote.wait_for(
            lambda a: a["type"] == "Delete" and a["object"]["id"] == article["id"], timeout=90
        )
        assert delete["activity"]["object"]["type"] == "Tombstone"
        assert set(Delivery.objects.values_list("state", flat=True)) <= {"delivered", "pending"}
        assert not remote.rejected
