"""The request id: from X-Request-ID when sane (else made), returned in the response, and on the
log records of the flow steps and deliveries a publish in that request causes, and carried to
Celery tasks in their message headers."""

import json
import logging
import re

import pytest
import redis

from accounts.models import User
from social.federation.actors import local_actor_get
from social.federation.models import Follow, RemoteActor
from tests.factories.social import blog_post
from tests.social.federation.fake_remote import FakeRemote
from tests.workers import celery_on_broker, own_redis_url


@pytest.mark.django_db
def test_request_id_from_a_sane_header_is_returned(client):
    response = client.get("/healthz-not-a-probe/", HTTP_X_REQUEST_ID="edge-4f2a.1:9")
    assert response["X-Request-ID"] == "edge-4f2a.1:9"


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["", "two words", "x" * 200, "id\r\nSet-Cookie: a=b", "<script>"])
def test_request_id_from_an_insane_header_is_replaced(client, header):
    response = client.get("/healthz-not-a-probe/", HTTP_X_REQUEST_ID=header)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


@pytest.mark.django_db
def test_request_id_without_a_header_is_made_fresh_per_request(client):
    first = client.get("/healthz-not-a-probe/")["X-Request-ID"]
    second = client.get("/healthz-not-a-probe/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", first) and first != second


@pytest.mark.django_db(transaction=True)  # the publish's on-commit flow runs as in production
def test_request_id_follows_a_publish_to_its_flow_steps_and_deliveries(client, live_server, settings, caplog):
    from config.celery import app

    settings.SITE_URL = live_server.url
    settings.SITE_HOST = live_server.url.split("//")[1]
    app.conf.task_always_eager = True
    editor = User.objects.create_superuser(email="ed@example.org", password="pw-123456789")
    client.force_login(editor)
    post = blog_post(title="Traced harvest")
    with FakeRemote() as remote:
        actor = RemoteActor.objects.create(
            uri=remote.actor_uri(),
            domain=f"127.0.0.1:{remote.port}",
            inbox=f"{remote.base}/users/alice/inbox",
        )
        Follow.objects.create(local_actor=local_actor_get("blog"), remote_actor=actor, state="accepted")

        with caplog.at_level(logging.INFO):
            response = client.post(
                f"/admin/bulk/wagtailcore/page/publish/?id={post.pk}",
                {"include_descendants": ""},
                HTTP_X_REQUEST_ID="publish-trace-42",
            )
        assert response.status_code == 302
        assert response["X-Request-ID"] == "publish-trace-42"
        create = remote.wait_for(lambda a: a["type"] == "Create")
        assert create["activity"]["object"]["name"] == "Traced harvest"

    steps = [r for r in caplog.records if r.name == "social.engine"]
    deliveries = [r for r in caplog.records if r.name == "social.federation.delivery"]
    assert steps and deliveries
    assert any(remote.base in r.getMessage() for r in deliveries)
    assert {r.request_id for r in steps + deliveries} == {"publish-trace-42"}
    # After the request, records are no longer attributed to it.
    logging.getLogger("social.engine").info("after the request")
    assert caplog.records[-1].request_id == "-"


@pytest.mark.django_db
def test_request_id_rides_in_the_celery_message_headers(client, settings):
    broker = own_redis_url(13)
    try:
        redis.Redis.from_url(broker).ping()
    except redis.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    from ops.request_id import request_id_var

    with celery_on_broker(broker) as app:
        token = request_id_var.set("from-the-request")
        try:
            app.send_task("durable.sweep")
        finally:
            request_id_var.reset(token)
        app.send_task("durable.sweep")  # outside any request: no id
        messages = [json.loads(raw) for raw in redis.Redis.from_url(broker).lrange("celery", 0, -1)]
    ids = sorted(message["headers"].get("request_id") or "" for message in messages)
    assert ids == ["", "from-the-request"]


def test_request_id_is_restored_in_the_task_that_receives_it():
    seen = []

    class Capture(logging.Handler):
        def emit(self, record):
            seen.append(record.request_id)

    handler = Capture()
    logging.getLogger("tests.ops.probe").addHandler(handler)
    try:
        from celery import shared_task

        @shared_task(name="tests.ops.log_one")
        def log_one():
            logging.getLogger("tests.ops.probe").warning("inside the task")

        log_one.apply(headers={"request_id": "from-the-message"})
        logging.getLogger("tests.ops.probe").warning("after the task")
    finally:
        logging.getLogger("tests.ops.probe").removeHandler(handler)
    assert seen == ["from-the-message", "-"]
