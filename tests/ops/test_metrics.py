"""/metrics: request metrics and our backlog gauges, for allowed networks or a bearer token only;
the backlog costs the same few queries however many rows there are."""

import re
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
import redis
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commerce.models import PaymentAttempt
from social.federation.actors import local_actor_get
from social.federation.models import Activity, Delivery, Host
from social.models import Flow
from tests.workers import celery_on_broker, own_redis_url

INTERNET = "203.0.113.9"


def _value(text: str, metric: str) -> float:
    match = re.search(rf"^{re.escape(metric)} (\S+)$", text, re.MULTILINE)
    assert match, f"{metric} missing from:\n{text}"
    return float(match.group(1))


def _deliveries(n: int, state: str, host: Host) -> None:
    actor = local_actor_get("blog")
    for _ in range(n):
        activity = Activity.objects.create(
            activity_id=str(uuid.uuid4()), activity_type="Create", actor=actor, body="{}"
        )
        inbox = f"https://{host.domain}/inbox"
        Delivery.objects.create(activity=activity, inbox=inbox, host=host, state=state)


def _payment_attempt(created_ago: timedelta) -> None:
    from oscar.apps.basket.models import Basket

    attempt = PaymentAttempt.objects.create(
        basket=Basket.objects.create(),
        order_number=uuid.uuid4().hex[:10],
        checkout_reference=uuid.uuid4().hex,
        amount=Decimal("7.50"),
        currency="GBP",
        shipping_method_code="delivery",
    )
    PaymentAttempt.objects.filter(pk=attempt.pk).update(created_at=timezone.now() - created_ago)


def test_metrics_from_the_internet_is_forbidden(client):
    assert client.get("/metrics", REMOTE_ADDR=INTERNET).status_code == 403


def test_metrics_relayed_by_an_untrusted_proxy_is_forbidden(client, settings):
    # The front door's own address is internal; what it relays must not inherit that trust.
    settings.ACCOUNTS_TRUSTED_PROXIES = 0
    response = client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=INTERNET)
    assert response.status_code == 403


def test_metrics_relayed_by_a_trusted_proxy_is_judged_by_the_client(client, settings):
    settings.ACCOUNTS_TRUSTED_PROXIES = 1
    settings.METRICS_ALLOWED_NETWORKS = ["10.0.0.0/8"]
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=INTERNET).status_code == 403


def test_metrics_with_a_wrong_token_is_forbidden(client, settings):
    settings.METRICS_TOKEN = "right-token"
    response = client.get("/metrics", REMOTE_ADDR=INTERNET, HTTP_AUTHORIZATION="Bearer wrong-token")
    assert response.status_code == 403


@pytest.mark.django_db
def test_metrics_with_the_token_from_anywhere_shows_request_latency(client, settings):
    settings.METRICS_TOKEN = "right-token"
    client.get("/robots.txt")
    response = client.get("/metrics", REMOTE_ADDR=INTERNET, HTTP_AUTHORIZATION="Bearer right-token")
    assert response.status_code == 200
    text = response.content.decode()
    assert "django_http_requests_latency_seconds_by_view_method_bucket" in text
    assert "django_http_responses_total_by_status_total" in text


@pytest.mark.django_db
def test_metrics_backlog_gauges_count_rows_by_state(client, settings):
    settings.COMMERCE_PAYMENT_STUCK_SECONDS = 3600
    live = Host.objects.create(domain="live.example")
    dead = Host.objects.create(domain="dead.example", dead=True)
    _deliveries(3, Delivery.State.PENDING, live)
    _deliveries(2, Delivery.State.DEAD_HOST, dead)
    _deliveries(1, Delivery.State.DELIVERED, live)
    Flow.objects.create(behavior="b", event="published", object_key="page:1", status=Flow.Status.FAILED)
    Flow.objects.create(behavior="b", event="published", object_key="page:2", status=Flow.Status.SUCCEEDED)
    _payment_attempt(timedelta(hours=2))
    _payment_attempt(timedelta(minutes=5))

    text = client.get("/metrics").content.decode()  # the test client comes from 127.0.0.1

    assert _value(text, 'coop_federation_deliveries{state="pending"}') == 3
    assert _value(text, 'coop_federation_deliveries{state="dead_host"}') == 2
    assert _value(text, 'coop_federation_deliveries{state="delivered"}') == 1
    assert _value(text, 'coop_federation_deliveries{state="failed"}') == 0
    assert _value(text, "coop_federation_dead_hosts") == 1
    assert _value(text, 'coop_social_flows{status="failed"}') == 1
    assert _value(text, 'coop_social_flows{status="succeeded"}') == 1
    assert _value(text, "coop_commerce_payment_attempts_stuck") == 1


@pytest.mark.django_db
def test_metrics_scrape_queries_do_not_grow_with_rows(client):
    host = Host.objects.create(domain="live.example")
    _deliveries(1, Delivery.State.PENDING, host)
    with CaptureQueriesContext(connection) as few:
        client.get("/metrics")
    _deliveries(25, Delivery.State.PENDING, host)
    _deliveries(25, Delivery.State.FAILED, host)
    for n in range(20):
        Flow.objects.create(
            behavior="b", event="published", object_key=f"page:{n}", status=Flow.Status.RUNNING
        )
    with CaptureQueriesContext(connection) as many:
        client.get("/metrics")
    assert len(many) == len(few) <= 6


@pytest.mark.django_db
def test_metrics_celery_queue_depth_is_the_redis_queue_length(client, settings):
    broker = own_redis_url(7)
    try:
        redis.Redis.from_url(broker).ping()
    except redis.ConnectionError:
        pytest.skip("needs Redis on 127.0.0.1:6379")
    settings.REDIS_URL = broker
    with celery_on_broker(broker) as app:
        for _ in range(3):  # no worker consumes them: they wait in the queue
            app.send_task("durable.sweep")
        text = client.get("/metrics").content.decode()
    assert _value(text, 'coop_celery_queue_depth{queue="celery"}') == 3


def test_metrics_with_the_database_down_still_serve_the_request_metrics():
    import socket

    from tests.ops.probes import request_in_subprocess

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    result = request_in_subprocess("/metrics", DATABASE_URL=f"postgres://coop:pw@127.0.0.1:{closed}/coop")
    assert result["status"] == 200
    assert "django_http_requests_before_middlewares_total" in result["body"]
    assert "coop_federation_deliveries" not in result["body"]
