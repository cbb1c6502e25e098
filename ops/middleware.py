"""Answers the operators' endpoints (/healthz, /readyz, /metrics) ahead of every other middleware.

They are asked by the orchestrator, the compose healthcheck and Prometheus over plain HTTP at an
internal address: the host check (ALLOWED_HOSTS), the HTTPS redirect, sessions and the page cache
would turn those probes into 400s and 301s, and they must not count in the request metrics.
"""

from collections.abc import Callable

from asgiref.sync import async_to_sync, iscoroutinefunction
from django.http import HttpRequest, HttpResponse

from . import health, metrics

ENDPOINTS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": health.liveness,
    "/readyz": health.readiness,
    "/metrics": metrics.metrics_view,
}


class OperationsEndpointsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = ENDPOINTS.get(request.path_info.rstrip("/"))
        if view is None or request.method not in ("GET", "HEAD"):
            return self.get_response(request)
        if iscoroutinefunction(view):  # django-health-check's view is async; this stack is WSGI
            return async_to_sync(view)(request)
        return view(request)
