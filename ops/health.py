"""Liveness and readiness probes: /healthz says the process answers, /readyz that it can serve.

The readiness checks are django-health-check's (database, cache, Redis) plus two of ours it does
not ship: the Celery broker answers, and every migration on disk is applied.
"""

import dataclasses
import datetime
import json

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, HttpResponse, JsonResponse
from health_check.base import HealthCheck
from health_check.checks import Cache, Database
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from .metrics import metrics_access_allowed


@dataclasses.dataclass
class MigrationsApplied(HealthCheck):
    """Every migration the code ships is recorded as applied: a web process of a newer release
    started before `migrate` ran would otherwise serve errors on the new columns."""

    alias: str = DEFAULT_DB_ALIAS

    def run(self) -> None:
        connection = connections[self.alias]
        try:
            executor = MigrationExecutor(connection)
            plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        finally:
            connection.close()  # the check runs in a worker thread: leave no connection behind there
        if plan:
            pending = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in plan[:5])
            raise ServiceUnavailable(f"{len(plan)} migration(s) not applied: {pending}")


@dataclasses.dataclass
class CeleryBroker(HealthCheck):
    """The broker accepts a connection, so tasks enqueued by this process reach a worker. (Whether
    a worker is consuming is the worker's own healthcheck: `celery inspect ping`.)"""

    timeout: datetime.timedelta = dataclasses.field(default=datetime.timedelta(seconds=3), repr=False)

    def run(self) -> None:
        from config.celery import app

        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1, timeout=self.timeout.total_seconds())
        except Exception as exc:  # kombu raises transport-specific errors; the probe names the service
            raise ServiceUnavailable(f"broker unreachable: {type(exc).__name__}") from exc


def readiness_checks() -> list:
    checks: list = [Database, MigrationsApplied, Cache, CeleryBroker]
    if settings.REDIS_URL:
        from health_check.contrib.redis import Redis
        from redis.asyncio import Redis as RedisClient

        checks.append((Redis, {"client_factory": lambda: RedisClient.from_url(settings.REDIS_URL)}))
    return checks


class ReadinessView(HealthCheckView):
    """JSON always (probes send no Accept header worth negotiating), and 503 rather than the
    library's 500 when a check fails: proxies and orchestrators read 503 as "not ready, try later"."""

    async def get(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        self.checks = readiness_checks()
        request.GET = request.GET.copy()
        request.GET["format"] = "json"
        response = await super().get(request, *args, **kwargs)
        if response.status_code >= 500:
            response.status_code = 503
        if not metrics_access_allowed(request):
            # Through the front door the internet learns which checks failed, not why (the reasons
            # can name hosts and migrations); the orchestrator and Prometheus read the full body.
            body = {
                name: "OK" if state == "OK" else "failed"
                for name, state in json.loads(response.content).items()
            }
            response.content = json.dumps(body).encode()
        return response


def liveness(request: HttpRequest) -> HttpResponse:
    """The process is up and answering; touches no database, cache or broker on purpose, so a
    database outage does not get every web container restarted."""
    return JsonResponse({"status": "alive"}, headers={"Cache-Control": "no-store"})


readiness = ReadinessView.as_view()
