"""The real publish path with a real Celery worker: a fake remote follows the blog, then an editor
publishes, re-publishes and unpublishes a post; the worker runs the behavior flow and our deliveries."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.core.management import call_command

from social.federation.models import Delivery, Follow
from tests.factories.social import blog_post, publish
from tests.workers import shared_database_url

from .fake_remote import FakeRemote

ROOT = Path(__file__).resolve().parents[3]
REDIS_URL = os.environ.get("REDIS_URL", "")


@pytest.fixture
def worker(live_server, settings, eager_celery):
    """A Celery worker process against the test database and REDIS_URL, with SITE_URL = the live server."""
    if not REDIS_URL:
        pytest.skip("needs REDIS_URL (a real broker) for a real worker")
    settings.SITE_URL = live_server.url
    settings.SITE_HOST = live_server.url.split("//")[1]
    settings.SOCIAL_FLOW_RUNNER = "social.engine.CeleryRunner"
    settings.SOCIAL_HUB_NEXT_TRANSPORT = "social.federation.transport.ActivityPubTransport"
    app = eager_celery
    app.conf.task_always_eager = False
    app.conf.broker_url = REDIS_URL
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": shared_database_url(),
        "REDIS_URL": REDIS_URL,
        "SITE_URL": live_server.url,
        "SOCIAL_TRANSPORT": "social.federation.transport.ActivityPubTransport",
    }
    call_command("seed_demo", verbosity=0)
    app.control.purge()  # the demo posts' own flows are not what this test is about
    process = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=threads", "-c", "4",
         "--without-gossip", "--without-mingle", "--loglevel=WARNING", "-n", f"fed-e2e-{os.getpid()}@%h"],
        env=env, cwd=ROOT,
    )  # fmt: skip
    time.sleep(4)
    yield process
    process.terminate()
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
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
