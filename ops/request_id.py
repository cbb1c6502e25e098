"""The request id: taken from X-Request-ID (or made), returned in the response, carried to every
Celery task the request enqueues (and the tasks those enqueue) and stamped on every log record.

So a publish can be followed from the editor's request through its flow's steps to each delivery
with one search in the logs, across the web and worker processes.
"""

import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
CELERY_HEADER = "request_id"
# A caller's id is kept only when it is short and plain: it ends up in log lines and headers.
_SANE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)


def current_request_id() -> str | None:
    return request_id_var.get()


def request_id_from(header: str | None) -> str:
    if header and _SANE.fullmatch(header):
        return header
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get(HEADER))
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            _sentry_tag(request_id)
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response[HEADER] = request_id
        return response


def _sentry_tag(request_id: str) -> None:
    import sys

    if "sentry_sdk" in sys.modules:  # only when SENTRY_DSN configured it (config/settings/base.py)
        sys.modules["sentry_sdk"].set_tag("request_id", request_id)


# --- log records --------------------------------------------------------------------------------
_factory_installed = False


def install_record_factory() -> None:
    """Every log record gets ``request_id`` when it is made, whichever handler (console, JSON,
    pytest's caplog, Sentry) reads it; "-" outside a request or task."""
    global _factory_installed
    if _factory_installed:
        return
    previous = logging.getLogRecordFactory()

    def record_with_request_id(*args, **kwargs) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = request_id_var.get() or "-"
        return record

    logging.setLogRecordFactory(record_with_request_id)
    _factory_installed = True


class RequestIdFilter(logging.Filter):
    """Named in LOGGING so the factory is in place from the first configured record on."""

    def __init__(self, name: str = ""):
        super().__init__(name)
        install_record_factory()

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):  # made before the factory was installed
            record.request_id = request_id_var.get() or "-"
        return True


# --- Celery ---------------------------------------------------------------------------------------
def _task_published(headers: dict | None = None, **kwargs) -> None:
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(CELERY_HEADER, request_id)


_task_tokens: dict[str, object] = {}


def _task_started(task_id: str | None = None, task=None, **kwargs) -> None:
    # A worker finds the id in the message headers; an eager task runs in the caller's context.
    request_id = None
    if task is not None:  # protocol 2 lifts custom headers onto the request; apply() keeps them nested
        request_id = getattr(task.request, CELERY_HEADER, None) or (task.request.headers or {}).get(
            CELERY_HEADER
        )
    if request_id and task_id:
        _task_tokens[task_id] = request_id_var.set(request_id)


def _task_finished(task_id: str | None = None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        try:
            request_id_var.reset(token)
        except ValueError:  # finished in another context than it started: just clear it
            request_id_var.set(None)


def connect_celery_signals() -> None:
    from celery.signals import before_task_publish, task_postrun, task_prerun

    install_record_factory()
    before_task_publish.connect(_task_published, weak=False, dispatch_uid="ops.request_id.publish")
    task_prerun.connect(_task_started, weak=False, dispatch_uid="ops.request_id.prerun")
    task_postrun.connect(_task_finished, weak=False, dispatch_uid="ops.request_id.postrun")
