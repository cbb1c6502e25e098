"""Wagtail admin page of one stateful row: its graph with the path it took, its history with the errors,
its runner fields, a link to what it is about, and staff's Retry of a failed row."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from wagtail import hooks

from durable.admin_views import machine_shape, model_for, model_title, rows_url
from durable.history import RetryRefused, can_retry, retry_state, row_history, row_retry
from durable.models import StatefulModel
from ops.staff import staff_only


def _row(label: str, pk: str) -> StatefulModel:
    model = model_for(label)
    try:
        return model._default_manager.get(pk=pk)
    except (model.DoesNotExist, ValueError):
        raise Http404("no such row") from None


def row_related_logs(row: StatefulModel) -> list[tuple[str, str]]:
    """(title, address) of the entries other logs keep about what this row is about (social's flow log:
    a payment's settlement flow): apps register a `durable_row_related_logs` hook taking the row, so
    durable names none of them."""
    return [link for hook in hooks.get_hooks("durable_row_related_logs") for link in hook(row)]


@staff_only
def state_machine_row(request: HttpRequest, label: str, pk: str) -> HttpResponse:
    """One row: where it is, the way it came (drawn on its graph and listed), and why tries failed."""
    row = _row(label, pk)
    history = row_history(row)
    machine = machine_shape(type(row))
    path = history.path or [row.state]
    if path[-1] != row.state:  # lines lost with a killed batch: the row itself is the truth
        path.append(row.state)
    model = type(row)
    title = f"{model_title(model)} {row.pk}"
    context = {
        "row": row,
        "row_text": str(row),
        "model_label": model._meta.label,
        "model_title": model_title(model),
        "model_title_plural": model_title(model, plural=True),
        "label_lower": model._meta.label_lower,
        "machine": machine,
        "path": path,
        "history": history,
        "state_label": row.state_node.label or row.state,
        "admin_url": row.state_admin_url(),
        "related_logs": row_related_logs(row),
        "rows_url": rows_url(model, state=row.state),
        "is_failed": can_retry(row),  # in its graph's failure state
        "worked": bool(row.state_node.handler),
        "can_retry": can_retry(row),
        "retry_state": retry_state(row) if can_retry(row) else "",
        "leased": bool(row.locked_until and row.locked_until > timezone.now()),
        "page_title": title,
        "header_title": title,
        "header_icon": "cogs",
    }
    return render(request, "durable/state_machine_row.html", context)


@require_POST
def state_machine_row_retry(request: HttpRequest, label: str, pk: str) -> HttpResponse:
    """POST only (CSRF-checked by Django), staff only: retry a failed row from the state it failed in."""
    if not request.user.is_staff:
        # A 403, not the PermissionDenied Wagtail turns into a redirect to its dashboard: a refused
        # write must read as refused to whatever sent it.
        return HttpResponseForbidden("Retrying a state machine's row is for staff.")
    row = _row(label, pk)
    try:
        target = row_retry(row, request.user)
    except RetryRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, f"{model_title(type(row))} {row.pk} retried from {target!r}.")
    return redirect(reverse("durable_admin_row", args=[type(row)._meta.label_lower, row.pk]))
