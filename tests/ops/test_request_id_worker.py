"""The request id crosses processes: an editor's publish request enqueues the flow on Redis, and
a real Celery worker logs every flow step and delivery it runs for that publish under the id."""

import os
import re

import pytest

from accounts.models import User
from social.federation.actors import local_actor_get
from social.federation.models import Follow, RemoteActor
from tests.factories.social import blog_post
from tests.social.federation.fake_remote import FakeRemote
from tests.workers import Worker, celery_on_broker, own_redis_url

BROKER = own_redis_url(11)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)  # the publish request commits, and its flow is enqueued then
def test_request_id_reaches_the_worker_log_of_each_flow_step_and_delivery(
    client, live_server, settings, tmp_path
):
    import redis

    try:
        redis.Redis.from_url(BROKER).ping()
    except redis.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    settings.SITE_URL = live_server.url
    settings.SITE_HOST = live_server.url.split("//")[1]
    settings.SOCIAL_FLOW_RUNNER = "social.runners.CeleryRunner"
    editor = User.objects.create_superuser(email="ed@example.org", password="pw-123456789")
    client.force_login(editor)
    post = blog_post(title="Traced by a worker")
    log = tmp_path / "worker.log"
    with celery_on_broker(BROKER), FakeRemote() as remote:
        actor = RemoteActor.objects.create(
            uri=remote.actor_uri(),
            domain=f"127.0.0.1:{remote.port}",
            inbox=f"{remote.base}/users/alice/inbox",
        )
        Follow.objects.create(local_actor=local_actor_get("blog"), remote_actor=actor, state="accepted")
        worker = Worker(
            f"ops-trace-{os.getpid()}",
            log,
            BROKER,
            "config.settings.test",
            SITE_URL=live_server.url,
            DJANGO_LOG_FORMAT="plain",
        )
        try:
            response = client.post(
                f"/admin/bulk/wagtailcore/page/publish/?id={post.pk}",
                {"include_descendants": ""},
                HTTP_X_REQUEST_ID="worker-trace-9",
            )
            assert response.status_code == 302
            remote.wait_for(lambda a: a["type"] == "Create", timeout=90)
            worker.wait_for(lambda: "social.federation.delivery" in log.read_text(), 30, "the delivery log")
        finally:
            worker.kill()

    lines = log.read_text().splitlines()
    ours = [line for line in lines if re.search(r" (social\.engine|social\.federation\.delivery): ", line)]
    assert any("social.engine" in line for line in ours)
    assert any(remote.base in line for line in ours if "social.federation.delivery" in line)
    assert all("[worker-trace-9]" in line for line in ours), "\n".join(ours)
