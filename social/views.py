"""Thin views over the flow log: GET /flows/ and /flows/<id>/ for staff."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from social import selectors
from social.behaviors import GraphError, behavior_get
from social.diagram import behavior_svg
from social.models import Flow


def staff_required(view):
    """Anonymous visitors go to the site's one login form (settings.LOGIN_URL), not the Django
    admin's, as `staff_member_required` would send them; signed-in members who are not staff are
    refused rather than asked to sign in again."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def flow_graph(flow: Flow):
    try:
        behavior = behavior_get(flow.behavior)
    except GraphError:
        return None  # a behavior since removed from the code: the log rows still show what happened
    return behavior_svg(
        behavior, flow.path, finished=flow.status in (Flow.Status.SUCCEEDED, Flow.Status.REFUSED)
    )


def flow_list_context(status: str) -> dict:
    counts = selectors.flow_status_counts()
    return {
        "flows": selectors.flows_recent(status=status),
        "status": status,
        "status_counts": [(name, counts.get(name, 0)) for name in Flow.Status.values],
    }


@staff_required
def flow_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status and status not in Flow.Status.values:
        status = ""
    return render(request, "social/flow_list.html", flow_list_context(status))


@staff_required
def flow_graph_svg(request: HttpRequest, flow_id: int) -> HttpResponse:
    """The flow's picture on its own, at full size: a phone shows the page's copy scaled to the
    screen, and this one to zoom into."""
    try:
        flow = selectors.flow_detail(flow_id)
    except Flow.DoesNotExist:
        raise Http404("no such flow") from None
    graph = flow_graph(flow)
    if graph is None:
        raise Http404("no graph for this behavior")
    return HttpResponse(graph, content_type="image/svg+xml")


@staff_required
def flow_detail(request: HttpRequest, flow_id: int) -> HttpResponse:
    try:
        flow = selectors.flow_detail(flow_id)
    except Flow.DoesNotExist:
        raise Http404("no such flow") from None
    return render(request, "social/flow_detail.html", {"flow": flow, "graph": flow_graph(flow)})
