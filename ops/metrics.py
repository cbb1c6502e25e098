"""Prometheus metrics: django-prometheus's request metrics plus the backlogs we own, counted at
scrape time, served at /metrics to allowed networks or a bearer token only."""

import hmac
import ipaddress
import logging
import os
from collections.abc import Iterator
from datetime import timedelta

import prometheus_client
from django.conf import settings
from django.db import DatabaseError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from prometheus_client import CollectorRegistry, multiprocess
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)


class BacklogCollector(Collector):
    """Gauges read from the database (and Redis) when Prometheus scrapes: one GROUP BY per
    subject, so a scrape costs the same few queries however many rows there are."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            families = list(self._database_gauges())
        except DatabaseError:
            # The request metrics are still served; /readyz names the database as down.
            logger.warning("backlog gauges: database unreachable", exc_info=True)
            families = []
        yield from families
        if settings.REDIS_URL:
            yield self._queue_depth()

    @staticmethod
    def _database_gauges() -> Iterator[GaugeMetricFamily]:
        from commerce.models import PaymentAttempt
        from social.federation.models import Delivery, Host
        from social.models import Flow

        deliveries = GaugeMetricFamily(
            "coop_federation_deliveries", "Federation deliveries by state.", labels=["state"]
        )
        counts = dict(Delivery.objects.values_list("state").annotate(n=Count("id")).order_by())
        for state in Delivery.State.values:
            deliveries.add_metric([state], counts.get(state, 0))
        yield deliveries

        yield GaugeMetricFamily(
            "coop_federation_dead_hosts",
            "Remote hosts marked dead (deliveries to them are skipped).",
            value=Host.objects.filter(dead=True).count(),
        )

        flows = GaugeMetricFamily("coop_social_flows", "Behavior flows by status.", labels=["status"])
        counts = dict(Flow.objects.values_list("status").annotate(n=Count("id")).order_by())
        for status in Flow.Status.values:
            flows.add_metric([status], counts.get(status, 0))
        yield flows

        stuck_before = timezone.now() - timedelta(seconds=settings.COMMERCE_PAYMENT_STUCK_SECONDS)
        yield GaugeMetricFamily(
            "coop_commerce_payment_attempts_stuck",
            "SumUp payment attempts not settled long past their validity.",
            value=PaymentAttempt.objects.filter(
                state__in=PaymentAttempt.HOLDING_STATES, created_at__lt=stuck_before
            ).count(),
        )

    @staticmethod
    def _queue_depth() -> GaugeMetricFamily:
        """Messages waiting in each Celery queue: with the Redis transport a queue is a list."""
        import redis

        from config.celery import app

        depth = GaugeMetricFamily(
            "coop_celery_queue_depth", "Messages waiting in a Celery queue.", labels=["queue"]
        )
        queues = {queue.name for queue in app.conf.task_queues or []} or {app.conf.task_default_queue}
        client = redis.Redis.from_url(app.conf.broker_url, socket_timeout=2)
        try:
            with client.pipeline(transaction=False) as pipe:
                for queue in sorted(queues):
                    pipe.llen(queue)
                for queue, length in zip(sorted(queues), pipe.execute(), strict=True):
                    depth.add_metric([queue], length)
        except redis.RedisError:
            # The scrape still reports the database gauges; /readyz names Redis as down.
            logger.warning("celery queue depth: broker unreachable", exc_info=True)
        finally:
            client.close()
        return depth


def _registries() -> list[CollectorRegistry]:
    """The request metrics (merged across gunicorn workers when PROMETHEUS_MULTIPROC_DIR is set)
    and our backlog gauges, which only the scrape itself computes."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        requests = CollectorRegistry()
        multiprocess.MultiProcessCollector(requests)
    else:
        requests = prometheus_client.REGISTRY
    backlog = CollectorRegistry(auto_describe=False)
    backlog.register(BacklogCollector())
    return [requests, backlog]


def _client_address(request: HttpRequest) -> str | None:
    """The address to judge by. A request relayed by our front door carries X-Forwarded-For: then
    only the address the trusted proxies reported counts; with no proxy trusted, none does (else
    the internet would inherit the proxy's own, internal, address)."""
    if "HTTP_X_FORWARDED_FOR" in request.META and not settings.ACCOUNTS_TRUSTED_PROXIES:
        return None
    from accounts.signin import signin_client_address

    return signin_client_address(request)


def metrics_access_allowed(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    authorization = request.headers.get("Authorization", "")
    if token and authorization.startswith("Bearer "):
        return hmac.compare_digest(authorization.removeprefix("Bearer ").encode(), token.encode())
    address = _client_address(request)
    if not address:
        return False
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(network) for network in settings.METRICS_ALLOWED_NETWORKS)


def metrics_view(request: HttpRequest) -> HttpResponse:
    if not metrics_access_allowed(request):
        return HttpResponse("Forbidden\n", status=403, content_type="text/plain")
    body = b"".join(prometheus_client.generate_latest(registry) for registry in _registries())
    return HttpResponse(body, content_type=prometheus_client.CONTENT_TYPE_LATEST)
