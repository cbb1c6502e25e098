"""Answers the operators' endpoints (/healthz, /readyz, /metrics) ahead of every other middleware.

They are asked by the orchestrator, the compose healthcheck and Prometheus over plain HTTP at an
internal address: the host check (ALLOWED_HOSTS), the HTTPS redirect, sessions and the page cache
would turn those probes into 400s and 301s, and they must not count in the request metrics.
"""

from collections.abc import Callable

from asgiref.sync import async_to_sync, iscoroutinefunction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest

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


class MalformedContentLengthMiddleware:
    """A request whose Content-Length is not a whole number is refused with 400 before anything reads it.

    Django itself reads such a body as empty, but middleware that parses the header (django-prometheus
    does, with int()) would answer 500: the refusal belongs at the door, for every path at once.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = request.META.get("CONTENT_LENGTH")
        if length and not (length.isascii() and length.isdigit()):
            return HttpResponseBadRequest("malformed Content-Length", content_type="text/plain")
        return self.get_response(request)
